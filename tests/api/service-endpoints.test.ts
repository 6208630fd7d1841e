import { PALETTE } from "../../src/detect/annotation-layout";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getJson } from "../support/http";
import { startTestService, type TestService, waitFor } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({}, { waitReady: false });
});
afterAll(() => svc.stop());

describe("GET /health", () => {
  test("503 while the model loads, then 200 with model, workers and queue depth", async () => {
    const before = await getJson(svc.app, "/health");
    // Workers take a few hundred ms to load and warm up: the first answer is not yet ready.
    expect(before.res.status).toBe(503);
    expect(before.body.status).toBe("starting");
    expect(before.body.workers.every((w: any) => w.state === "starting")).toBe(true);

    await waitFor(() => !svc.service.backend.notReadyReason(), 30_000, "ready");
    const after = await getJson(svc.app, "/health");
    expect(after.res.status).toBe(200);
    expect(after.body).toMatchObject({
      status: "ok",
      model: { name: "yolov8n", input_size: { width: 640, height: 640 }, classes: 80, names_source: "metadata" },
      // The one model (MODEL_PATH, or the default file) is a list of one, named after its file.
      models: [{ name: "yolov8n", default: true, loaded: true }],
      queue_depth: 0,
    });
    expect(after.body.workers.some((w: any) => w.state === "ready")).toBe(true);
  });
});

describe("GET /docs", () => {
  test("the OpenAPI document describes the upload as multipart with binary files, or JSON with base64", async () => {
    const { res, body } = await getJson(svc.app, "/docs/json");
    expect(res.status).toBe(200);
    const post = body.paths["/predict"].post;
    const schema = post.requestBody.content["multipart/form-data"].schema;
    // One or several files; an image may also come as `url` (or, as JSON, base64 `image`): no field is required.
    expect(schema.properties.file).toMatchObject({ type: "string", format: "binary" });
    expect(Object.keys(post.requestBody.content)).toEqual(["multipart/form-data", "application/json"]);
    expect(post.requestBody.content["application/json"].schema.properties.image).toBeDefined();
    // Knobs are documented as plain numbers/booleans with their real defaults, so
    // "Try it out" does not pre-fill the 0 that Elysia's string branch declares.
    expect(schema.properties.max_det).toMatchObject({ type: "number", minimum: 1, maximum: 300, default: 300 });
    expect(schema.properties.conf).toMatchObject({ type: "number", minimum: 0, maximum: 1, default: 0.25 });
    expect(schema.properties.annotate).toMatchObject({ type: "boolean", default: true });
    expect(JSON.stringify(schema.properties)).not.toContain('"default":0,');
    expect(structuredClone(schema.properties.classes)).toEqual({ type: "string", example: "", description: expect.stringContaining("Classes to keep") });
    const maxDetQuery = post.parameters.find((p: any) => p.name === "max_det");
    expect(maxDetQuery.schema).toMatchObject({ type: "number", default: 300 });
    expect(post.summary).toBeTruthy();
    expect(body.paths["/result/{id}"].get).toBeTruthy();
    expect(body.paths["/result/{id}/image"].get).toBeTruthy();
    expect(body.paths["/health"].get).toBeTruthy();
    // every route has a summary; error answers are documented as problem+json, except the
    // health probes' 503, which is the service's state as plain JSON (as the service sends it)
    const stateAnswers = new Set(["/health 503", "/health/ready 503"]);
    for (const [path, item] of Object.entries(body.paths) as [string, any][]) {
      for (const op of Object.values(item) as any[]) {
        expect(op.summary, path).toBeTruthy();
        for (const [status, res] of Object.entries(op.responses ?? {}) as [string, any][]) {
          const expected = stateAnswers.has(`${path} ${status}`) ? "application/json" : "application/problem+json";
          if (Number(status) >= 400 && res.content) expect(Object.keys(res.content), `${path} ${status}`).toEqual([expected]);
        }
      }
    }
    const ready = await svc.app.handle(new Request("http://localhost/health/ready"));
    if (ready.status === 503) expect(ready.headers.get("content-type")).toContain("application/json");
  });

  test("the Swagger page loads its assets from this server, not a CDN", async () => {
    const page = await svc.app.handle(new Request("http://localhost/docs"));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toMatch(/unpkg|jsdelivr|cdnjs/);
    for (const asset of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
      const res = await svc.app.handle(new Request(`http://localhost/docs/assets/${asset}`));
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await svc.app.handle(new Request("http://localhost/docs/assets/..%2Fpackage.json"))).status).toBe(404);
  });

  test("the demo page's icon answers /favicon.ico, and its boxes' palette is the annotated JPEG's", async () => {
    for (const path of ["/favicon.ico", "/favicon.svg"]) {
      const res = await svc.app.handle(new Request(`http://localhost${path}`));
      expect([path, res.status, res.headers.get("content-type")]).toEqual([path, 200, "image/svg+xml"]);
      expect(await res.text()).toStartWith("<svg");
    }
    const palette = await svc.app.handle(new Request("http://localhost/palette.js"));
    expect(palette.headers.get("content-type")).toContain("text/javascript");
    expect(await palette.text()).toContain(`export const PALETTE = ${JSON.stringify(PALETTE)};`);
  });
});
