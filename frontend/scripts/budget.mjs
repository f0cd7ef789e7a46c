// Checks the first-load budgets of the public pages, gzipped: everything a page
// needs for its first render (its HTML, the scripts and styles it links and
// preloads, and the largest language catalog it may fetch), not the flags.
// Viewer ≤ 60 KB, overlay ≤ 40 KB, join page ≤ 60 KB; the embeddable widget (embed.js, one
// self-contained script with its catalogs) ≤ 25 KB. The viewer's HTML is measured with a
// 60-slot agenda embedded, as the server sends it, by the browser test; here it is the bare shell.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const gz = (b) => gzipSync(b, { level: 6 }).length;
const kb = (n) => (n / 1024).toFixed(1) + " KB";

// The modules a script imports statically, followed through the chunk graph.
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(join(dist, file), "utf8");
  for (const m of src.matchAll(/(?:import|from)\s*["'](\.\/[^"']+\.js)["']/g)) {
    closure(join("assets", m[1].slice(2)), seen);
  }
  return seen;
}

const catalogs = readdirSync(join(dist, "assets")).filter((f) => /^(es|pt|fr|uk|ru|ar)-.*\.js$/.test(f));
const largestCatalog = Math.max(0, ...catalogs.map((f) => gz(readFileSync(join(dist, "assets", f)))));

const budgets = { viewer: 60 * 1024, overlay: 40 * 1024, join: 60 * 1024, speaker: 80 * 1024, admin: 150 * 1024 };
let failed = false;
for (const [page, limit] of Object.entries(budgets)) {
  const html = readFileSync(join(dist, page + ".html"), "utf8");
  const files = new Set();
  for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) {
    if (m[1].endsWith(".js")) closure(m[1], files);
    else files.add(m[1]);
  }
  let total = gz(Buffer.from(html));
  const parts = [`html ${kb(total)}`];
  for (const f of files) {
    const n = gz(readFileSync(join(dist, f)));
    total += n;
    parts.push(`${f.replace("assets/", "")} ${kb(n)}`);
  }
  if (page !== "admin") {
    total += largestCatalog;
    parts.push(`largest catalog ${kb(largestCatalog)}`);
  }
  const ok = total <= limit;
  failed ||= !ok;
  console.log(`${ok ? "ok  " : "OVER"} ${page.padEnd(8)} ${kb(total).padStart(8)} of ${kb(limit)} gzipped  (${parts.join(", ")})`);
}
// The widget is one script that carries everything it needs (its style sheet and
// every language's few strings); only the flags come on their own.
{
  const limit = 25 * 1024;
  const total = gz(readFileSync(join(dist, "embed.js")));
  const ok = total <= limit;
  failed ||= !ok;
  console.log(`${ok ? "ok  " : "OVER"} ${"embed".padEnd(8)} ${kb(total).padStart(8)} of ${kb(limit)} gzipped  (embed.js, styles and catalogs inline)`);
}
if (failed) {
  console.error("budget: a page is over its budget");
  process.exit(1);
}
