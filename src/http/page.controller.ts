import { Elysia } from "elysia";
import { join } from "node:path";

const WEB = join(import.meta.dir, "../web");
const ASSETS: Record<string, string> = {
  "/": "index.html",
  "/demo.js": "demo.js",
  "/card.js": "card.js",
  "/result-view.js": "result-view.js",
  "/panel.js": "panel.js",
  "/dom.js": "dom.js",
  "/demo.css": "demo.css",
};
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/** The demo page: its static files, served as they are (no build step, no CDN). */
export function pageController() {
  const app = new Elysia({ name: "page" });
  for (const [path, file] of Object.entries(ASSETS)) {
    app.get(path, () => new Response(Bun.file(join(WEB, file)), { headers: { "content-type": TYPES[file.split(".").pop()!], "cache-control": "no-cache" } }), {
      detail: { hide: true },
    });
  }
  return app;
}
