import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { detect, getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { BOTH_MODELS, V8, V11 } from "../support/shared-models";
import { bestIou, DOG_REFERENCE } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

// imgsz per request, on the real models and the real photo: yolov8n (640, one free-shape session
// fed each shape's head constants) takes other squares; YOLO11n int8 at 320 (a session per shape)
// takes only its own.

let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ MODELS: BOTH_MODELS, WORKERS: "1" });
  dog = await readImage("dog.jpg");
}, 60_000);
afterAll(() => svc.stop());

const run = async (fields: Record<string, string>) => (await detect(svc.app, dog, { fields: { annotate: "false", ...fields } })).result;
const size = (s: { width: number; height: number }) => `${s.width}x${s.height}`;
/** How well the run's dog matches Ultralytics' reference dog (yolov8n at 640). */
const dogIou = (result: any) => bestIou(result.detections, "dog", DOG_REFERENCE["yolov8n.onnx"].dog);
const refusal = async (fields: Record<string, string>) => {
  const res = await upload(svc.app, dog, { fields });
  return { status: res.status, errors: ((await res.json()) as any).errors };
};

describe("imgsz: the model's input size per request", () => {
  test("GET /models says what imgsz each model allows", async () => {
    const { body } = await getJson(svc.app, "/models");
    expect(body.models.map((m: any) => [m.name, m.imgsz])).toEqual([
      [V8, { min: 320, max: 1280, step: 32 }],
      [V11, { min: 320, max: 320, step: 32 }],
    ]);
  });

  test("absent, 0 and the model's own 640 run alike: dog.jpg at 640×480 with the same detections", async () => {
    const [absent, zero, own] = [await run({}), await run({ imgsz: "0" }), await run({ imgsz: "640" })];
    expect([absent, zero, own].map((r) => size(r.input_size))).toEqual(["640x480", "640x480", "640x480"]);
    expect([zero.detections, own.detections]).toEqual([absent.detections, absent.detections]);
  }, 60_000);

  test("imgsz=320 on yolov8n: input no larger than 320 (320×256; the square with rect=off), and the dog still found", async () => {
    const [on, off] = [await run({ imgsz: "320" }), await run({ imgsz: "320", rect: "off" })];
    expect([size(on.input_size), size(off.input_size)]).toEqual(["320x256", "320x320"]);
    for (const r of [on, off]) {
      expect(Math.max(r.input_size.width, r.input_size.height)).toBeLessThanOrEqual(320);
      expect(dogIou(r)).toBeGreaterThan(0.8);
    }
  }, 60_000);

  test("imgsz=1280 on yolov8n, past its own size: 1280×960 (the square with rect=off), the dog in its box; then 640 again in the same worker, unchanged", async () => {
    const before = await run({});
    const [on, off] = [await run({ imgsz: "1280" }), await run({ imgsz: "1280", rect: "off" })];
    expect([size(on.input_size), size(off.input_size)]).toEqual(["1280x960", "1280x1280"]);
    for (const r of [on, off]) expect(dogIou(r)).toBeGreaterThan(0.8);
    // The one session's arena grew for 1280: the native shape must answer as before it did.
    expect((await run({})).detections).toEqual(before.detections);
  }, 120_000);

  test("a query parameter sets it too", async () => {
    const task = await detect(svc.app, dog, { query: "imgsz=416", fields: { annotate: "false" } });
    expect(size(task.result.input_size)).toBe("416x320");
  }, 60_000);

  test("off the 32 grid, or outside 320..1280, is refused with 422 naming imgsz", async () => {
    const rule = { field: "imgsz", message: "must be 0 or a multiple of 32 from 320 to 1280" };
    for (const imgsz of ["500", "1312", "288", "-32", "big"]) expect([imgsz, await refusal({ imgsz })]).toEqual([imgsz, { status: 422, errors: [rule] }]);
  });

  test("YOLO11 (a session per shape) runs its own 320, and refuses another size with 422 listing the sizes it allows", async () => {
    const own = await run({ model: V11, imgsz: "320" });
    expect([size(own.input_size), own.model, own.detections.some((d: any) => d.class === "dog")]).toEqual(["320x256", V11, true]);
    for (const imgsz of ["640", "352"]) {
      expect(await refusal({ model: V11, imgsz })).toEqual({
        status: 422,
        errors: [{ field: "imgsz", message: `must be 0 (its own size, 320) or a size model ${V11} allows: 320` }],
      });
    }
  }, 60_000);
});
