// The search page in a real browser (Debian's Chromium), on a built site
// served under the sub-path of its base_url:
//
//   node tests/e2e/search.mjs SITE_DIR CASES.json
//
// CASES.json is a list of {"q": words typed, "filters": {facet: value},
// "first": the page the first result must link to, "finds": pages among
// the results, "misses": pages not among them, "count": the number of
// results}. Each query is typed key by key into the box, as a reader
// would; the page must show its results with no script error or CSP
// violation, and axe must find nothing wrong with the results open. Also
// checked: the header box of another page leads to the results, Tab
// reaches them, and a query runs again offline.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { serveSite, launch, axeViolations, finish } from "./common.mjs";

const [siteArg, casesArg] = process.argv.slice(2);
const site = resolve(siteArg || "site");
const cases = JSON.parse(await readFile(resolve(casesArg), "utf8"));
const { server, origin } = await serveSite(site);
const browser = await launch();
const failures = [];
const fail = (msg) => { failures.push(msg); console.log("FAIL " + msg); };

// The pages the results link to, relative to the site's root.
async function results(page) {
  return page.$$eval("#search-results li a", (links, root) => links.map((a) => a.href.slice(root.length)), origin);
}
// Waits until the status line says how many results there are.
async function settled(page) {
  await page.waitForFunction(() => /result|could not/.test(document.getElementById("search-status").textContent), null, { timeout: 5000 });
  return page.textContent("#search-status");
}

const strict = await browser.newContext();
const audit = await browser.newContext({ bypassCSP: true });
for (const c of cases) {
  const label = JSON.stringify(c.q) + (c.filters ? " " + JSON.stringify(c.filters) : "");
  const page = await strict.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The browser asks the host for /favicon.ico, outside the site: not the site's error.
  page.on("console", (m) => { if (m.type() === "error" && !/\/favicon\.ico$/.test(m.location().url)) errors.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(origin + "search/", { waitUntil: "load" });
  for (const [facet, value] of Object.entries(c.filters || {})) {
    await page.selectOption(`select[name="${facet}"]`, value);
  }
  await page.locator("#search-q").pressSequentially(c.q, { delay: 15 });
  const typed = Date.now();
  let status;
  try {
    // The last keystroke's query, not an earlier one's.
    await page.waitForFunction((q) => document.getElementById("search-status").textContent.includes(q.trim() ? `“${q.trim()}”` : "result"), c.q, { timeout: 5000 });
    status = await settled(page);
  } catch (e) {
    fail(`${label}: no results shown (${e.message.split("\n")[0]})`);
    await page.close();
    continue;
  }
  const ms = Date.now() - typed;
  const found = await results(page);
  const bytes = await page.evaluate(() => performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/search/")).reduce((n, e) => n + e.encodedBodySize, 0));
  console.log(`${label}: ${status} first ${found[0]} (${ms} ms after the last key, ${Math.round(bytes / 1024)} KiB of index fetched)`);
  if (c.first && found[0] !== c.first) fail(`${label}: first result ${found[0]}, expected ${c.first}`);
  for (const f of c.finds || []) if (!found.includes(f)) fail(`${label}: ${f} not among ${found.join(" ")}`);
  for (const m of c.misses || []) if (found.includes(m)) fail(`${label}: ${m} should not be found`);
  const counted = status.startsWith("No results") ? 0 : parseInt(status, 10);
  if (c.count !== undefined && counted !== c.count) fail(`${label}: "${status}", expected ${c.count} results`);
  // The address keeps the query, so a search can be shared and reloaded.
  const again = await browser.newPage();
  await again.goto(page.url());
  const reloaded = await settled(again).catch(() => "nothing");
  if (reloaded !== status) fail(`${label}: reloading ${page.url()} says "${reloaded}", not "${status}"`);
  await again.close();
  if (errors.length) fail(`${label}: ${errors.join("; ")}`);
  await page.close();

  const a = await audit.newPage();
  await a.goto(page.url(), { waitUntil: "load" });
  await settled(a);
  for (const v of await axeViolations(a)) fail(`${label}, results open: ${v}`);
  await a.close();
}

// The header box of any other page leads to the results.
{
  const page = await strict.newPage();
  await page.goto(origin, { waitUntil: "load" });
  await page.fill("#site-search-q", cases[0].q);
  await Promise.all([page.waitForURL(/search\/\?q=/), page.press("#site-search-q", "Enter")]);
  const status = await settled(page);
  if (!/\d+ results?/.test(status)) fail(`header box: "${status}" on ${page.url()}`);
  // Keyboard: Tab from the box reaches the filters, then the results' links.
  await page.focus("#search-q");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement && document.activeElement.closest("#search-results") !== null);
  }
  if (!reached) fail("keyboard: Tab from the search box never reaches a result");
  await page.close();
}

// Offline after load: the files a query fetched are kept for the visit, so
// the query runs again without the network, and on a site whose words fit
// in one shard (the example) any other query does too.
{
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(origin + "search/?q=" + encodeURIComponent(cases[0].q), { waitUntil: "load" });
  const online = await settled(page);
  await ctx.setOffline(true);
  const retype = async (q) => {
    await page.fill("#search-q", "");
    await page.locator("#search-q").pressSequentially(q, { delay: 15 });
    await page.waitForFunction((q) => document.getElementById("search-status").textContent.includes(`“${q.trim()}”`)
      || /could not/.test(document.getElementById("search-status").textContent), q, { timeout: 5000 });
    return page.textContent("#search-status");
  };
  const again = await retype(cases[0].q);
  if (again !== online) fail(`offline: "${again}", online it was "${online}"`);
  const manifest = JSON.parse(await readFile(resolve(site, "search/index.json"), "utf8"));
  if (manifest.shards.length === 1 && cases[1] && cases[1].q.trim()) {
    const other = await retype(cases[1].q);
    if (!/\d+ results?|No results/.test(other)) fail(`offline, a one-shard site: "${other}"`);
  }
  await ctx.close();
}

// A failed fetch is not remembered: the word files fail once (a network
// hiccup), the page says it could not read the index, and the same query
// typed again finds what it found online.
{
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  let broken = true;
  await page.route("**/search/t/*.json", (route) => (broken ? route.abort() : route.continue()));
  await page.goto(origin + "search/", { waitUntil: "load" });
  await page.locator("#search-q").fill(cases[0].q);
  await page.waitForFunction(() => /could not/.test(document.getElementById("search-status").textContent), null, { timeout: 5000 })
    .catch(() => fail("a failed fetch: the page did not say the index could not be read"));
  broken = false;
  await page.locator("#search-q").fill("");
  await page.locator("#search-q").fill(cases[0].q);
  const after = await page.waitForFunction(() => /result/.test(document.getElementById("search-status").textContent), null, { timeout: 5000 })
    .then(() => page.textContent("#search-status"), () => null);
  if (!after || /could not/.test(after)) fail(`a failed fetch was remembered: "${after}"`);
  await ctx.close();
}

await finish(browser, server, failures, `search checks passed: ${cases.length} queries, and a failed fetch retried`);
