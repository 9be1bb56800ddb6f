// The preview in a real browser: `sitrep serve` pushes a reload to every
// open page within a second of a rebuild, with more tabs open than the
// six connections a browser allows a host (the tabs share one stream).
//
//   node tests/e2e/reload.mjs SITREP_BINARY FIXTURE_DIR
//
// Copies FIXTURE_DIR (a project with content/) to a temporary folder, serves
// it on an OS-chosen port, opens an incident page, edits the record, and
// waits for the page to show the edit without being told to reload.
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launch } from "./common.mjs";

const [binary, fixture] = process.argv.slice(2).map((p) => resolve(p));
const root = await mkdtemp(join(tmpdir(), "sitrep-reload-"));
await cp(join(fixture, "content"), join(root, "content"), { recursive: true });
const serve = spawn(binary, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "ignore", "pipe"] });
const port = await new Promise((ok, fail) => {
  let seen = "";
  serve.stderr.on("data", (chunk) => {
    seen += chunk;
    const m = seen.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) ok(Number(m[1]));
  });
  serve.on("exit", () => fail(new Error("serve exited: " + seen)));
});
let failed = false;
const browser = await launch();
try {
  const context = await browser.newContext();
  const TABS = 8;
  const pages = [];
  const errors = [];
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && !m.text().includes("404") && errors.push(m.text()));
    // The browser asks for /favicon.ico on its own; any other missing file is an error.
    page.on("response", (r) => r.status() === 404 && !r.url().endsWith("/favicon.ico") && errors.push("404: " + r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    // Each tab loads, the seventh and eighth too (each once held a stream).
    await page.goto(`http://127.0.0.1:${port}/incidents/zulu-minutes/`, { timeout: 5000 });
    await page.waitForSelector("h1", { timeout: 5000 });
    pages.push(page);
  }
  // Let the pages open their event stream before the edit.
  await pages[0].waitForTimeout(300);
  const file = join(root, "content/incidents/zulu-minutes.yaml");
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace("title: Incident zulu-minutes", "title: Edited in the browser test"));
  const edited = Date.now();
  const shown = (page) => page.waitForFunction(() => document.querySelector("h1")?.textContent.includes("Edited in the browser test"), null, { timeout: 5000 });
  // The first tab within 1.5 s of the edit; every tab (each reloads and
  // asks for its page at once) within the 5 s of the wait.
  await shown(pages[0]);
  const took = Date.now() - edited;
  for (const page of pages.slice(1)) await shown(page);
  console.log(`reloaded ${took} ms after the edit; all ${TABS} tabs after ${Date.now() - edited} ms`);
  if (took > 1500) { console.error("FAIL: the reload took more than 1.5 s"); failed = true; }
  if (errors.length) { console.error("FAIL: console errors: " + errors.join("; ")); failed = true; }
} catch (e) {
  console.error("FAIL: " + e.message);
  failed = true;
} finally {
  await browser.close();
  serve.kill();
  await rm(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
