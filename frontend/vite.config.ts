import { defineConfig } from "vite";

// Five pages, one build: the server embeds dist/ and serves each HTML shell at
// its route (/e/{slug}, /e/{slug}/overlay, /e/{slug}/join, /s/{token}, /admin/). Assets are
// content-hashed under /assets/ so they can be cached for ever.
export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact", legalComments: "none" },
  build: {
    target: "es2020",
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    rollupOptions: {
      input: {
        viewer: "viewer.html",
        overlay: "overlay.html",
        speaker: "speaker.html",
        admin: "admin.html",
        join: "join.html",
      },
    },
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true } },
  },
});
