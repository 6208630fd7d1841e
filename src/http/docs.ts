import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { rejectRequest } from "../domain/errors";
import { KNOBS, type Knob } from "../domain/knobs";
import { DetectKnobs, knobDescription, plainBranch } from "./knob-schema";
import { dirname, join } from "node:path";
import { needsKey } from "./client-identity";

/** swagger-ui-dist served by the app itself: /docs works offline and on locked-down networks. */
const SWAGGER_DIR = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js"]);

/**
 * Elysia documents a string-coerced knob as anyOf [numeric string with
 * default 0, number]; Swagger UI then pre-fills 0 and "Try it out" sends
 * max_det=0. Each knob is documented by its plain branch (range included)
 * and its real default instead.
 */
function documentKnobs(doc: { paths?: Record<string, any> }) {
  const op = doc.paths?.["/predict"]?.post;
  if (!op) return;
  const clean = (name: string) => {
    const knob = (KNOBS as readonly Knob[]).find((k) => k.name === name);
    if (!knob) return undefined;
    const description = knobDescription(knob);
    // `classes` (string or repeated field) is documented as one string: for a
    // union, Swagger UI would pre-fill the placeholder "string" and send it.
    if (knob.kind === "classes") return { type: "string", description, example: "" };
    const plain = plainBranch(DetectKnobs[knob.name as keyof typeof DetectKnobs]);
    const { examples, ...rest } = plain as Record<string, unknown>;
    return { ...rest, description, default: knob.default };
  };
  const multipart = op.requestBody?.content?.["multipart/form-data"]?.schema;
  const props = multipart?.properties ?? {};
  for (const name of Object.keys(props)) props[name] = clean(name) ?? props[name];
  for (const param of op.parameters ?? []) param.schema = clean(param.name) ?? param.schema;
  if (!multipart) return;
  // One file part, as Swagger UI's "Try it out" sends it; repeating the part sends several (its
  // description says so). Elysia's own markers on t.Files are left out, and so is `image`: JSON only.
  const { file, image, url, ...fields } = props;
  props.file = { type: "string", format: "binary", description: file?.description };
  // An empty example: Swagger UI would otherwise send the placeholder "string" as a URL (empty means none).
  props.url = { type: "string", description: url?.description, example: "" };
  delete props.image;
  // The same fields as JSON (parsed by the route's own hook, which Elysia cannot see): base64 `image` instead of files.
  op.requestBody.content["application/json"] = { schema: { type: "object", properties: { image, url, ...fields } } };
}

/** A response schema that is the Problem document (by reference, or inline with its fields). */
const isProblem = (schema: any) => String(schema?.$ref ?? "").endsWith("/Problem") || ["type", "title", "status", "code"].every((k) => k in (schema?.properties ?? {}));

/**
 * Error answers are RFC 9457 documents: say so, where Elysia writes
 * application/json. Not the 503s of /health and /health/ready: those are the
 * service's state, sent as plain JSON.
 */
function documentProblems(doc: { paths?: Record<string, any> }) {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, any>)) {
      for (const [status, response] of Object.entries((op?.responses ?? {}) as Record<string, any>)) {
        const json = response?.content?.["application/json"];
        if (Number(status) >= 400 && json && isProblem(json.schema)) response.content = { "application/problem+json": json };
      }
    }
  }
}

/** The two ways client-identity.ts reads a key; either one is enough. */
const SECURITY_SCHEMES = {
  bearerKey: { type: "http" as const, scheme: "bearer", description: "The API key as `Authorization: Bearer <key>`" },
  headerKey: { type: "apiKey" as const, in: "header", name: "X-API-Key", description: "The API key as `X-API-Key: <key>`" },
};
const EITHER_KEY = [{ bearerKey: [] }, { headerKey: [] }];

/**
 * Each operation's security from the rule app.ts enforces (needsKey): writes
 * take a key, reads are open (`[]`). Without API_KEY or API_KEYS, writes are
 * open too, and the empty requirement `{}` says so; Swagger UI still offers Authorize.
 */
function documentSecurity(doc: { paths?: Record<string, any> }, keysRequired: boolean) {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, any>)) {
      op.security = !needsKey(method) ? [] : keysRequired ? EITHER_KEY : [...EITHER_KEY, {}];
    }
  }
}

export function docs(version: string, opts: { keysRequired: boolean; contactUrl?: string }) {
  return new Elysia({ name: "docs" })
    .onAfterHandle({ as: "global" }, ({ path, response }) => {
      if (path !== "/docs/json" || !response || typeof response !== "object") return;
      documentKnobs(response as { paths?: Record<string, any> });
      documentProblems(response as { paths?: Record<string, any> });
      documentSecurity(response as { paths?: Record<string, any> }, opts.keysRequired);
    })
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        exclude: { paths: ["/docs/assets/:file"] },
        swagger: { theme: "/docs/assets/swagger-ui.css", cdn: "/docs/assets/swagger-ui-bundle.js", autoDarkMode: false },
        documentation: {
          // Relative: the service that serves this document, wherever it runs (Swagger UI's "Try it out" calls it).
          servers: [{ url: "/", description: "This service" }],
          components: { securitySchemes: SECURITY_SCHEMES },
          info: {
            title: "YOLO object detection API",
            version,
            description:
              "Upload an image, get a task id at once, poll for the YOLO detections and the annotated image. " +
              "Errors are RFC 9457 problem+json with a stable `code`. " +
              "Uploads and cancels take an API key when the service runs with `API_KEY` or `API_KEYS`; everything else is open.",
            // README's Licence section: the served weights are AGPL-3.0, which brings its network clause to the service.
            license: { name: "AGPL-3.0 (the YOLOv8n model weights served)", url: "https://www.gnu.org/licenses/agpl-3.0.html" },
            // Who runs this deployment is known only to them: CONTACT_URL.
            contact: { name: "The operator of this deployment", ...(opts.contactUrl ? { url: opts.contactUrl } : {}) },
          },
          tags: [
            { name: "Detection", description: "Submit images and fetch results" },
            { name: "Service", description: "Health" },
          ],
        },
      }),
    )
    .get("/docs/assets/:file", ({ params }) => {
      if (!ASSETS.has(params.file)) throw rejectRequest.noDocsAsset();
      return Bun.file(join(SWAGGER_DIR, params.file));
    }, { detail: { hide: true } });
}
