// End-to-end tests of a built site in a real browser (Debian's Chromium).
//
//   node tests/e2e/run.mjs [SITE_DIR] [--screenshots DIR]
//
// Serves SITE_DIR under the sub-path of its base_url, then for the home,
// incident, actor, target, campaign and note pages, in light and dark schemes:
// no script error or CSP violation, no axe-core violation; at 390 and
// 1280 px nothing scrolls the page sideways and every drawing's text is at
// least 11 px, uncut, with a hint where a drawing scrolls; timeline links
// work; and the table's filter and sort working.
import { readFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { serveSite, launch, axeViolations, finish } from "./common.mjs";

const args = process.argv.slice(2);
const shotsAt = args.indexOf("--screenshots");
const shots = shotsAt >= 0 ? resolve(args[shotsAt + 1]) : null;
const site = resolve(args.find((a, i) => !a.startsWith("--") && (shotsAt < 0 || i !== shotsAt + 1)) || "site");
const json = JSON.parse(await readFile(join(site, "incidents.json"), "utf8"));
const { server, origin } = await serveSite(site);

const first = (folder) => {
  const m = json.incidents[0];
  if (!m) return null;
  if (folder === "incidents") return `incidents/${m.id}/`;
  if (folder === "targets") return `targets/${m.targets[0]}/`;
  if (folder === "actors") return m.actors[0] ? `actors/${m.actors[0].actor}/` : null;
  if (folder === "campaigns") return m.campaign ? `campaigns/${m.campaign}/` : null;
  return null;
};
const notes = await readFile(join(site, "sitemap.xml"), "utf8");
const note = (notes.match(/notes\/([a-z0-9-]+)\//) || [])[0] || null;
const actor = first("actors") || (notes.match(/actors\/([a-z0-9-]+)\//) || [])[0];
const campaign = first("campaigns") || (notes.match(/campaigns\/([a-z0-9-]+)\//) || [])[0];
const pages = ["", first("incidents"), actor, first("targets"), campaign, note, "incidents/", "search/"].filter((p) => p !== null && p !== undefined);
console.log("pages: " + pages.map((p) => "/" + p).join(" "));

const browser = await launch();
const failures = [];
const fail = (msg) => { failures.push(msg); console.log("FAIL " + msg); };

for (const scheme of ["light", "dark"]) {
  // Strict context: the site's own CSP applies; any error or violation fails.
  const strict = await browser.newContext({ colorScheme: scheme });
  // Axe needs to inject a script, which the CSP rightly forbids.
  const audit = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
  for (const path of pages) {
    const url = origin + path;
    const page = await strict.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    const resp = await page.goto(url, { waitUntil: "load" });
    if (!resp || resp.status() !== 200) fail(`${path || "/"}: HTTP ${resp && resp.status()}`);
    if (errors.length) fail(`${path || "/"} (${scheme}): ${errors.join("; ")}`);
    await page.close();

    const a = await audit.newPage();
    await a.goto(url, { waitUntil: "load" });
    for (const v of await axeViolations(a)) fail(`${path || "/"} (${scheme}): ${v}`);
    await a.close();
  }
  await strict.close();
  await audit.close();
}

// Drawings at phone and desktop widths: the page never scrolls sideways;
// every text of a timeline or chart is drawn at 11 CSS px or more and
// inside its drawing; a drawing that scrolls in its box has a visible hint;
// bars and lane labels link to pages that exist.
const drawings = () => {
  const out = { small: [], cut: [], unhinted: [], links: [] };
  for (const svg of document.querySelectorAll("svg.timeline:not(.swatch), svg.chart")) {
    const box = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll("text")) {
      const size = parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a;
      if (size < 11) out.small.push(`${t.textContent.trim()} (${size.toFixed(1)} px)`);
      const b = t.getBBox();
      if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) out.cut.push(t.textContent.trim());
    }
    const scroller = svg.closest("figure");
    if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) {
      const hints = [...document.querySelectorAll(".scroll-hint")].filter((h) => h.offsetParent !== null);
      if (!hints.length) out.unhinted.push(svg.getAttribute("aria-labelledby"));
    }
    for (const a of svg.querySelectorAll("a")) out.links.push(a.href.baseVal !== undefined ? new URL(a.getAttribute("href"), location.href).href : a.href);
  }
  return out;
};
// The header's section links and search box: one row at desktop width,
// whatever the length of the site's title (the box is not left alone).
const header = () => {
  const nav = document.querySelector(".site-header nav");
  const box = document.querySelector(".site-header .site-search");
  if (!nav || !box) return null;
  const a = nav.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  return { together: b.top < a.bottom && a.top < b.bottom, right: b.right };
};
for (const width of [390, 1280]) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 } });
  for (const path of pages) {
    const page = await ctx.newPage();
    await page.goto(origin + path, { waitUntil: "load" });
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scroll > width) fail(`${path || "/"}: ${scroll} px wide at ${width} px`);
    const d = await page.evaluate(drawings);
    if (d.small.length) fail(`${path || "/"} at ${width} px: text under 11 px: ${d.small.slice(0, 3).join("; ")}`);
    if (d.cut.length) fail(`${path || "/"} at ${width} px: text cut off: ${d.cut.slice(0, 3).join("; ")}`);
    if (d.unhinted.length) fail(`${path || "/"} at ${width} px: a drawing scrolls without a hint`);
    const h = await page.evaluate(header);
    if (h && width === 1280 && !h.together) fail(`${path || "/"} at ${width} px: the search box is not beside the section links`);
    if (h && h.right > width) fail(`${path || "/"} at ${width} px: the search box ends at ${h.right} px`);
    if (width === 1280) {
      for (const href of [...new Set(d.links)].slice(0, 5)) {
        const r = await page.request.get(href);
        if (r.status() !== 200) fail(`${path || "/"}: timeline link ${href}: HTTP ${r.status()}`);
      }
    }
    await page.close();
  }
  await ctx.close();
}

// The table's progressive enhancement.
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(origin + "incidents/", { waitUntil: "load" });
const rows = await page.locator("table.incidents tbody tr").count();
if (rows !== Math.min(json.incidents.length, 1000)) fail(`incidents/: ${rows} rows for ${json.incidents.length} incidents`);
if (rows > 1) {
  const firstTitle = json.incidents[0].title;
  await page.fill("#filter-0", firstTitle);
  const visible = await page.locator("table.incidents tbody tr:not([hidden])").count();
  if (visible < 1 || visible >= rows) fail(`filter "${firstTitle}" left ${visible} of ${rows} rows`);
  await page.fill("#filter-0", "");
  await page.click("table.incidents thead th:nth-child(1) button");
  const sorted = await page.locator("table.incidents thead th:nth-child(1)").getAttribute("aria-sort");
  if (sorted !== "ascending") fail(`sort: aria-sort=${sorted}`);
  // Newest first as built; "When" reverses to oldest first.
  const keys = async (col) => page.$$eval(`table.incidents tbody tr td:nth-child(${col})`, (cells) => cells.map((c) => c.getAttribute("data-sort").split(" ").map(Number)));
  const ordered = (list, up) => list.every((k, i) => i === 0 || (up ? cmp(list[i - 1], k) <= 0 : cmp(list[i - 1], k) >= 0));
  const cmp = (a, b) => { for (let i = 0; i < a.length; i++) { if (a[i] !== b[i]) return a[i] - b[i]; } return 0; };
  await page.reload({ waitUntil: "load" });
  if (!ordered(await keys(4), false)) fail("incidents/: not newest first as built");
  await page.click("table.incidents thead th:nth-child(4) button");
  if (!ordered(await keys(4), true)) fail("incidents/: When does not sort oldest first");
  // "How long" sorts by its bounds as an interval: lower, then upper.
  await page.click("table.incidents thead th:nth-child(5) button");
  if (!ordered(await keys(5), true)) fail("incidents/: How long does not sort by its bounds");
}
await ctx.close();

if (shots) {
  await mkdir(shots, { recursive: true });
  const wide = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  for (const [name, path] of [["home", ""], ["incident", first("incidents")]]) {
    const p = await wide.newPage();
    await p.goto(origin + path, { waitUntil: "load" });
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    await p.close();
  }
  // The search page with results open: an actor found by its alias.
  const s = await wide.newPage();
  await s.goto(origin + "search/?q=People%27s+Cyber+Army", { waitUntil: "load" });
  await s.waitForFunction(() => /result/.test(document.getElementById("search-status").textContent));
  await s.screenshot({ path: join(shots, "search.png"), fullPage: true });
  await s.close();
  await wide.close();
  const narrow = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await narrow.newPage();
  await p.goto(origin, { waitUntil: "load" });
  // The timeline and its key, where a phone makes drawings hardest to read.
  await p.locator("section[aria-labelledby=timeline-heading]").screenshot({ path: join(shots, "phone.png") });
  await narrow.close();
}

await finish(browser, server, failures, `browser checks passed: ${pages.length} pages × 2 schemes, drawings at 390 and 1280 px, table script`);
