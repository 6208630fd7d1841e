import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { detect, getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { BOTH_MODELS, V8, V11 } from "../support/shared-models";
import { startTestService, type TestService } from "../support/test-service";

// Two models in one service, chosen per request, on whichever backend TEST_BACKEND names: the shared
// yolov8n (640, free-shape session) and YOLO11n int8 at 320 (a session per shape).

let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  // A space after the comma, as people write lists: items are trimmed.
  svc = await startTestService({ MODELS: BOTH_MODELS.replace(",", ", "), WORKERS: "1" });
  dog = await readImage("dog.jpg");
}, 60_000);
afterAll(() => svc.stop());

const dogOf = (task: any) => task.result.detections.find((d: any) => d.class === "dog");

describe("MODELS: several models, chosen per request", () => {
  test("GET /models lists both: the default first, loaded, with its input size and class names", async () => {
    const { res, body } = await getJson(svc.app, "/models");
    expect(res.status).toBe(200);
    const shown = body.models.map((m: any) => [m.name, m.default, m.loaded, m.input_size, m.classes.length, m.classes[16]]);
    expect(shown).toEqual([
      [V8, true, true, { width: 640, height: 640 }, 80, "dog"],
      [V11, false, true, { width: 320, height: 320 }, 80, "dog"],
    ]);
    const health = await getJson(svc.app, "/health");
    expect([health.body.model.name, health.body.models]).toEqual([V8, [{ name: V8, default: true, loaded: true }, { name: V11, default: false, loaded: true }]]);
  });

  test("dog.jpg through each model finds the dog at that model's input size, and the task names its model", async () => {
    const byDefault = await detect(svc.app, dog, { fields: { annotate: "false" } });
    const by11 = await detect(svc.app, dog, { fields: { model: V11, annotate: "false" } });
    for (const [task, model, side] of [[byDefault, V8, 640], [by11, V11, 320]] as const) {
      expect([task.status, task.model, task.result.model]).toEqual(["completed", model, model]);
      expect(Math.max(task.result.input_size.width, task.result.input_size.height)).toBe(side);
      expect(dogOf(task).confidence).toBeGreaterThan(0.5);
    }
    // Two different detectors: their dogs are not the same numbers.
    expect(dogOf(by11).confidence).not.toBe(dogOf(byDefault).confidence);
  }, 60_000);

  test("the knobs follow the chosen model: rect=off runs its square, classes filters by its names; a query parameter picks it too", async () => {
    const task = await detect(svc.app, dog, { query: `model=${V11}`, fields: { rect: "off", classes: "dog", annotate: "false" } });
    expect([task.model, task.result.input_size]).toEqual([V11, { width: 320, height: 320 }]);
    expect(task.result.detections.map((d: any) => d.class)).toEqual(["dog"]);
  }, 60_000);

  test("tiles follow the chosen model: tile=on cuts the image into that model's input size", async () => {
    const task = await detect(svc.app, dog, { fields: { model: V11, tile: "on", annotate: "false" } });
    expect([task.status, task.model, task.result.tiles.size]).toEqual(["completed", V11, 320]);
    expect(task.result.tiles.count).toBeGreaterThan(1);
    expect(dogOf(task)).toBeDefined();
  }, 60_000);

  test("an unknown name is refused with 422 unknown_model, listing the names", async () => {
    const res = await upload(svc.app, dog, { fields: { model: "yolov9" } });
    const body = (await res.json()) as any;
    expect([res.status, body.code, body.errors[0].field]).toEqual([422, "unknown_model", "model"]);
    expect(body.detail).toContain(`${V8}, ${V11}`);
  });

  test("the OpenAPI document names the running service's models", async () => {
    const { body } = await getJson(svc.app, "/docs/json");
    const form = body.paths["/predict"].post.requestBody.content["multipart/form-data"].schema.properties.model;
    expect(form.description).toContain(`\`${V8}\`, \`${V11}\``);
    expect(body.paths["/models"].get.operationId).toBe("listModels");
  });

  test("an Idempotency-Key replays its own model's answer, and the same key with another model is refused", async () => {
    const key = { "idempotency-key": `models-${crypto.randomUUID()}`, prefer: "wait=30" };
    const first = await upload(svc.app, dog, { fields: { model: V11, annotate: "false" }, headers: key });
    const replay = await upload(svc.app, dog, { fields: { model: V11, annotate: "false" }, headers: key });
    const other = await upload(svc.app, dog, { fields: { model: V8, annotate: "false" }, headers: key });
    const [a, b, c] = (await Promise.all([first, replay, other].map((r) => r.json()))) as any[];
    expect([a.model, b.task_id, replay.headers.get("idempotent-replayed")]).toEqual([V11, a.task_id, "true"]);
    expect([other.status, c.code]).toEqual([422, "idempotency_key_reused"]);
  }, 60_000);
});
