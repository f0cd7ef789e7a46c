import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { embedKeys } from "./src/embed/keys";

// The embeddable widget, dist/embed.js: one classic script (an IIFE, no chunks,
// no module loading) that partners put on their own sites with
//   <script src="https://tribune.example.org/embed.js" data-event="slug"></script>
// It runs after the main build (vite.config.ts), which empties dist/ first.

const i18n = join(dirname(fileURLToPath(import.meta.url)), "src", "i18n");

/** embedCatalogs serves virtual:embed-catalogs: every catalog cut down to the widget's keys. */
function embedCatalogs(): Plugin {
  const id = "virtual:embed-catalogs";
  return {
    name: "tribune-embed-catalogs",
    resolveId: (source) => (source === id ? "\0" + id : null),
    load(resolved) {
      if (resolved !== "\0" + id) return null;
      const read = (f: string) => JSON.parse(readFileSync(join(i18n, f), "utf8")) as Record<string, string>;
      const en = read("en.json");
      const out: Record<string, Record<string, string>> = {};
      for (const f of readdirSync(i18n).filter((f) => f.endsWith(".json"))) {
        this.addWatchFile(join(i18n, f));
        const cat = read(f);
        out[f.slice(0, -5)] = Object.fromEntries(embedKeys.map((k) => [k, cat[k] ?? en[k]]));
      }
      return `export default ${JSON.stringify(out)};`;
    },
  };
}

export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact", legalComments: "none" },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  plugins: [embedCatalogs()],
  publicDir: false,
  build: {
    target: "es2020",
    outDir: "dist",
    emptyOutDir: false,
    copyPublicDir: false,
    lib: {
      entry: "src/embed/main.tsx",
      formats: ["iife"],
      name: "TribuneEmbed",
      fileName: () => "embed.js",
    },
  },
});
