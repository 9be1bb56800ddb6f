import { chromium } from "playwright-core";
const [url, out, width, typeText] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("requestfailed", (r) => console.log("failed", r.url())); page.on("response", (r) => { if (r.status() >= 400) console.log("status", r.status(), r.url()); });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(url);
if (typeText) { await page.fill("#search-q", typeText); await page.waitForTimeout(500); }
await page.waitForTimeout(300);
console.log(await page.evaluate(() => JSON.stringify([document.querySelector("#search-status")?.textContent, performance.getEntriesByType("resource").map(e => e.name), document.querySelectorAll("#search-results li").length])));
await page.screenshot({ path: out, fullPage: process.env.FULL !== "0" });
await browser.close();
