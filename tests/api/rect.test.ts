import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { iou } from "../../src/detect/postprocess";
import { detect, getJson } from "../support/http";
import { IMAGES, readImage } from "../support/paths";
import { bestIou, DOG_REFERENCE } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1" });
});
afterAll(() => svc.stop());

const run = async (name: string, rect: boolean) => (await detect(svc.app, await readImage(name), { fields: { rect: String(rect), annotate: "false" } })).result;

describe("rect: rectangular model inputs", () => {
  test("the model lists its input shapes: the square and eight rectangles", async () => {
    const { body } = await getJson(svc.app, "/health");
    expect(body.model.input_shapes.map((s: any) => `${s.width}x${s.height}`)).toEqual([
      "640x640", "640x576", "576x640", "640x512", "512x640", "640x448", "448x640", "640x384", "384x640",
    ]);
  });

  test("dog.jpg (4:3) runs at 640×512 with rect and 640×640 without; dog and bicycle stay where they are", async () => {
    const square = await run("dog.jpg", false);
    const rect = await run("dog.jpg", true);
    expect(square.input_size).toEqual({ width: 640, height: 640 });
    expect(rect.input_size).toEqual({ width: 640, height: 512 });
    for (const cls of ["dog", "bicycle"]) expect(bestIou(rect.detections, cls, DOG_REFERENCE["yolov8n.onnx"][cls])).toBeGreaterThan(0.9);
  });

  // Measured (docs/BENCHMARKS.md): on the square's grid phase the model sees the same pixels in the
  // same cells, and every detection keeps its box and its confidence within 0.03. What can differ is
  // a class whose score sits just under another's on the same object: dog.jpg's car also gives a
  // 0.47 truck with rect, as it does on the square itself when the photo sits 64 px higher in it.
  // The proof asks for the same classes, so rect stays opt-in.
  test("on every shared photo, each square detection is found with rect: same class, IoU ≥ 0.9, confidence within 0.05; confident ones (≥ 0.5) agree both ways", async () => {
    const photos = readdirSync(IMAGES).filter((f) => f.endsWith(".jpg"));
    expect(photos.length).toBeGreaterThanOrEqual(7);
    const closest = (from: any[], d: any) => from.filter((r) => r.class === d.class).sort((a, b) => iou(b.box, d.box) - iou(a.box, d.box))[0];
    for (const photo of photos) {
      const [square, rect] = [await run(photo, false), await run(photo, true)];
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
});
