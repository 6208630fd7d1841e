import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { DomainError } from "../domain/errors";
import { dirname, join } from "node:path";

/** swagger-ui-dist served by the app itself: /docs works offline and on locked-down networks. */
const SWAGGER_DIR = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js"]);

export function docs(version: string) {
  return new Elysia({ name: "docs" })
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        exclude: { paths: ["/docs/assets/:file"] },
        swagger: { theme: "/docs/assets/swagger-ui.css", cdn: "/docs/assets/swagger-ui-bundle.js", autoDarkMode: false },
        documentation: {
          info: {
            title: "YOLO object detection API",
            version,
            description:
              "Upload an image, get a task id at once, poll for the YOLO detections and the annotated image. " +
              "Errors are RFC 9457 problem+json with a stable `code`.",
          },
          tags: [
            { name: "Detection", description: "Submit images and fetch results" },
            { name: "Service", description: "Health" },
          ],
        },
      }),
    )
    .get("/docs/assets/:file", ({ params }) => {
      if (!ASSETS.has(params.file)) throw new DomainError("route_not_found", "No such documentation asset.");
      return Bun.file(join(SWAGGER_DIR, params.file));
    }, { detail: { hide: true } });
}
