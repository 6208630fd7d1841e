import { Elysia } from "elysia";
import { join } from "node:path";
import { PALETTE } from "../detect/annotation-layout";

const WEB = join(import.meta.dir, "../web");
const ASSETS: Record<string, string> = {
  "/": "index.html",
  "/demo.js": "demo.js",
  "/card.js": "card.js",
  "/result-view.js": "result-view.js",
  "/panel.js": "panel.js",
  "/dom.js": "dom.js",
  "/demo.css": "demo.css",
  "/favicon.svg": "favicon.svg",
  // Browsers ask for /favicon.ico whatever the page links; an SVG answers it as well.
  "/favicon.ico": "favicon.svg",
};
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };
/** The annotated JPEG's colours, as a module the page's boxes import: one palette for both. */
const PALETTE_JS = `// Generated from src/detect/annotation-layout.ts: the annotated JPEG's colours, by class id.\nexport const PALETTE = ${JSON.stringify(PALETTE)};\n`;

/** The demo page: its static files, served as they are (no build step, no CDN), and the palette it shares with the annotation. */
export function pageController() {
  const app = new Elysia({ name: "page" });
  app.get("/palette.js", () => new Response(PALETTE_JS, { headers: { "content-type": TYPES.js, "cache-control": "no-cache" } }), { detail: { hide: true } });
  for (const [path, file] of Object.entries(ASSETS)) {
    app.get(path, () => new Response(Bun.file(join(WEB, file)), { headers: { "content-type": TYPES[file.split(".").pop()!], "cache-control": "no-cache" } }), {
      detail: { hide: true },
    });
  }
  return app;
}
