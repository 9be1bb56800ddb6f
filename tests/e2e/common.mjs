// What the browser tests share: a static server for a built site under the
// sub-path of its base_url, Debian's Chromium, and an axe-core audit.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png" };

// Serves `site` at the path of its base_url (read from the home page's
// canonical link), as GitHub Pages would: a folder's index.html, else 404.html.
export async function serveSite(site) {
  const home = await readFile(join(site, "index.html"), "utf8");
  const base = new URL(home.match(/<link rel="canonical" href="([^"]+)"/)[1]).pathname;
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(base)) { res.writeHead(404); return res.end(); }
    path = normalize(path.slice(base.length));
    if (path.startsWith("..")) { res.writeHead(403); return res.end(); }
    let file = join(site, path);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": types[".html"] });
      res.end(await readFile(join(site, "404.html")));
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, base, origin: `http://127.0.0.1:${server.address().port}${base}` };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

// The violations axe finds on `page` as it is now (its context must bypass
// the CSP, which rightly forbids the injected script); throws if axe did not run.
export async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  if (!result.passes || result.passes.length < 10) throw new Error(`axe did not run (${result.passes && result.passes.length} passes)`);
  return result.violations.map((v) => `axe ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

// Closes the browser and the server; exits 1 after any failure, else
// prints what passed.
export async function finish(browser, server, failures, passed) {
  await browser.close();
  server.close();
  if (failures.length) {
    console.log(`${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log(passed);
}
