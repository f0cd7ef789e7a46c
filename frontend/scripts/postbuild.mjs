// After vite build: copies one 4x3 SVG flag per ISO 3166 country from the flag-icons package into
// dist/flags/{cc}.svg: pages load only the flags they show, one file each.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const src = join(dirname(require.resolve("flag-icons/package.json")), "flags", "4x3");
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "flags");
mkdirSync(out, { recursive: true });
let n = 0;
for (const f of readdirSync(src)) {
  if (/^[a-z]{2}\.svg$/.test(f)) {
    copyFileSync(join(src, f), join(out, f));
    n++;
  }
}
console.log(`flags: ${n} countries copied to dist/flags`);

// vite empties dist/; the committed placeholder lets Go compile the embed before a build.
writeFileSync(join(out, "..", "PLACEHOLDER"), "The web UI is not built. Run make build (npm ci && npm run build in frontend/).\n");
