// The evidence model in a real browser, on a build of
// tests/fixtures/valid/evidence, at 390 and 1280 px: a two-hour outage
// whose statements lie ten days away stays readable (its certain hour is
// drawn wide enough to see, in view of its scroller), every statement is
// listed in time order with who says so, the attack seen under way has its
// own mark in the drawing and the key, totals state unverified claims
// apart without overflowing, and axe finds nothing on these pages.
//
//   node tests/e2e/evidence.mjs SITE_DIR
import { resolve } from "node:path";
import { serveSite, launch, axeViolations, finish } from "./common.mjs";

const site = resolve(process.argv[2]);
const { server, origin } = await serveSite(site);
const browser = await launch();
const failures = [];
const fail = (msg) => { failures.push(msg); console.log("FAIL " + msg); };

for (const width of [390, 1280]) {
  // CSP is bypassed to inject axe; run.mjs checks the same pages under it.
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  const page = await ctx.newPage();
  const at = `${width} px`;

  await page.goto(origin + "incidents/portal-outage/", { waitUntil: "load" });
  const certain = await page.locator("svg.incident-timeline rect.certain").boundingBox();
  if (!certain || certain.width < 15) fail(`portal-outage at ${at}: the certain hour is ${certain ? certain.width.toFixed(1) : "not"} px wide`);
  const statements = await page.locator("ol.statements li").allTextContents();
  const order = ["announced", "claimed", "attributed"].map((b) => statements.findIndex((s) => s.includes(b)));
  if (statements.length !== 3 || order.some((k, n) => k !== n)) fail(`portal-outage at ${at}: statements ${JSON.stringify(statements)}`);
  if (!statements[2].includes("per The vendor")) fail(`portal-outage at ${at}: who says so: ${statements[2]}`);
  if (!(await page.locator(".timeline-note").isVisible())) fail(`portal-outage at ${at}: no word of the statements not drawn`);
  for (const v of await axeViolations(page)) fail(`portal-outage at ${at}: ${v}`);

  await page.goto(origin + "incidents/airport-listed/", { waitUntil: "load" });
  const rings = await page.locator("svg.incident-timeline circle.obs-attacked").count();
  if (rings !== 2) fail(`airport-listed at ${at}: ${rings} attack marks`);
  const swatch = await page.locator(".legend .swatch.obs-attacked").boundingBox();
  if (!swatch || swatch.width < 6) fail(`airport-listed at ${at}: no attack mark in the key`);
  const seen = await page.locator("dt:text('Attack seen') + dd").textContent();
  if (!seen || !seen.includes("attacked for at least")) fail(`airport-listed at ${at}: ${seen}`);
  for (const v of await axeViolations(page)) fail(`airport-listed at ${at}: ${v}`);

  await page.goto(origin + "targets/portal/", { waitUntil: "load" });
  const total = page.locator("dt:text('Total downtime') + dd");
  const words = await total.textContent();
  if (!words.includes("more in unverified claims")) fail(`portal at ${at}: ${words}`);
  const box = await total.boundingBox();
  if (!box || box.x + box.width > width) fail(`portal at ${at}: the total runs past the screen`);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scroll > width) fail(`portal at ${at}: the page is ${scroll} px wide`);
  for (const v of await axeViolations(page)) fail(`portal at ${at}: ${v}`);
  await ctx.close();
}
await finish(browser, server, failures, "evidence checks passed at 390 and 1280 px");
