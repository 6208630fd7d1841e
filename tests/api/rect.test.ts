import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { iou } from "../../src/detect/postprocess";
import type { RectMode } from "../../src/domain/task";
import { detect, getJson, upload } from "../support/http";
import { IMAGES, readImage } from "../support/paths";
import { bestIou, DOG_REFERENCE } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1" });
});
afterAll(() => svc.stop());

const run = async (name: string, rect?: RectMode) =>
  (await detect(svc.app, await readImage(name), { fields: { ...(rect ? { rect } : {}), annotate: "false" } })).result;
const photos = () => readdirSync(IMAGES).filter((f) => f.endsWith(".jpg"));
/** The detection of `from` of the same class whose box overlaps `d`'s most. */
const closest = (from: any[], d: any) => from.filter((r) => r.class === d.class).sort((a, b) => iou(b.box, d.box) - iou(a.box, d.box))[0];

describe("rect: rectangular model inputs", () => {
  test("the model lists its input shapes: the square and sixteen rectangles, every 32 px (one free-shape session runs them all)", async () => {
    const { body } = await getJson(svc.app, "/health");
    expect(body.model.input_shapes.map((s: any) => `${s.width}x${s.height}`)).toEqual([
      "640x640", "640x608", "608x640", "640x576", "576x640", "640x544", "544x640", "640x512", "512x640",
      "640x480", "480x640", "640x448", "448x640", "640x416", "416x640", "640x384", "384x640",
    ]);
  });

  test("dog.jpg (4:3): 640×608 with rect=on and by default, 640×512 with tight, 640×640 with off; dog and bicycle stay where they are", async () => {
    const [on, tight, square, byDefault] = [await run("dog.jpg", "on"), await run("dog.jpg", "tight"), await run("dog.jpg", "off"), await run("dog.jpg")];
    expect(byDefault.input_size).toEqual(on.input_size);
    expect([on.input_size, tight.input_size, square.input_size]).toEqual([
      { width: 640, height: 608 },
      { width: 640, height: 512 },
      { width: 640, height: 640 },
    ]);
    for (const r of [on, tight]) for (const cls of ["dog", "bicycle"]) expect(bestIou(r.detections, cls, DOG_REFERENCE["yolov8n.onnx"][cls])).toBeGreaterThan(0.9);
  });

  // The proof. With `on` the model sees each photo where the square puts it, with a cell
  // of grey after it, and only the rest of that grey is cut, so the two agree (docs/BENCHMARKS.md): the same classes, and each
  // detection of either has its counterpart in the other. A detection at the 0.25 threshold
  // (kite.jpg has a kite at 0.2505) can sit just under it on the other side, so counterparts are
  // looked for down to 0.05 below it, the confidence tolerance.
  test("rect=on agrees with the square on every shared photo: same classes, each detection's counterpart at IoU ≥ 0.9 and confidence within 0.05", async () => {
    expect(photos().length).toBeGreaterThanOrEqual(7);
    const classes = (r: any) => [...new Set(r.detections.map((d: any) => d.class))].sort();
    const low = { conf: "0.2", annotate: "false" };
    for (const photo of photos()) {
      const [square, rect] = [await run(photo, "off"), await run(photo, "on")];
      expect([photo, classes(rect)]).toEqual([photo, classes(square)]);
      const bytes = await readImage(photo);
      const [squareLow, rectLow] = [
        (await detect(svc.app, bytes, { fields: { ...low, rect: "off" } })).result,
        (await detect(svc.app, bytes, { fields: { ...low, rect: "on" } })).result,
      ];
      for (const [from, to] of [[square, rectLow], [rect, squareLow]]) {
        for (const d of from.detections) {
          const match = closest(to.detections, d);
          expect([photo, d.class, d.confidence, match && iou(match.box, d.box) >= 0.9, match && Math.abs(match.confidence - d.confidence) <= 0.05]).toEqual([photo, d.class, d.confidence, true, true]);
        }
      }
    }
  });

  test("rect as a query parameter applies when the form does not set it, and the form's wins when both do", async () => {
    const dog = await readImage("dog.jpg");
    expect((await detect(svc.app, dog, { query: "rect=tight", fields: { annotate: "false" } })).result.input_size).toEqual({ width: 640, height: 512 });
    expect((await detect(svc.app, dog, { query: "rect=tight", fields: { rect: "off", annotate: "false" } })).result.input_size).toEqual({ width: 640, height: 640 });
  });

  // With `tight` the photo moves nearer the input's edge. Every detection keeps its box and its
  // confidence within 0.03, but a class whose score sits just under another's on the same object
  // can show: dog.jpg's car also gives a 0.47 truck, as on the square when the photo sits 64 px higher.
  test("rect=tight: each square detection is found (same class, IoU ≥ 0.9, confidence within 0.05); confident ones (≥ 0.5) agree both ways", async () => {
    for (const photo of photos()) {
      const [square, rect] = [await run(photo, "off"), await run(photo, "tight")];
      for (const d of square.detections) {
        const match = closest(rect.detections, d);
        expect([photo, d.class, match && iou(match.box, d.box) >= 0.9, match && Math.abs(match.confidence - d.confidence) <= 0.05]).toEqual([photo, d.class, true, true]);
      }
      for (const r of rect.detections.filter((x: any) => x.confidence >= 0.5)) {
        const match = closest(square.detections, r);
        expect([photo, r.class, match && iou(match.box, r.box) >= 0.9]).toEqual([photo, r.class, true]);
      }
    }
  });

  test("rect=true is refused with 422 and the words rect takes", async () => {
    const res = await upload(svc.app, await readImage("dog.jpg"), { fields: { rect: "true" } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.errors).toContainEqual({ field: "rect", message: "must be one of off, on, tight" });
  });
});
