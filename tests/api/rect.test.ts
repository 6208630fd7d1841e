import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { iou } from "../../src/detect/postprocess";
import type { RectMode } from "../../src/domain/task";
import { detect, getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { bestIou, DOG_REFERENCE, REFERENCE, toBox } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1" });
});
afterAll(() => svc.stop());

const run = async (name: string, rect?: RectMode) =>
  (await detect(svc.app, await readImage(name), { fields: { ...(rect ? { rect } : {}), annotate: "false" } })).result;
const size = (s: { width: number; height: number }) => `${s.width}x${s.height}`;

describe("rect: Ultralytics' rectangles", () => {
  test("the model lists its input shapes: the square and every rectangle 32 px apart, both ways (one free-shape session runs them all)", async () => {
    const { body } = await getJson(svc.app, "/health");
    const shapes: string[] = body.model.input_shapes.map(size);
    expect(shapes[0]).toBe("640x640");
    const expected = ["640x640"];
    for (let short = 608; short >= 32; short -= 32) expected.push(`640x${short}`, `${short}x640`);
    expect(shapes).toEqual(expected);
  });

  // What `yolo predict` picks for a PyTorch model (LetterBox(auto=True)): each side padded to the
  // next multiple of 32, the image centred. The placement maths has its own table (tests/unit/placement.test.ts).
  test("each shared photo runs at Ultralytics' rectangle by default and with rect=on, and at the square with off", async () => {
    const expected: Record<string, string> = {
      "dog.jpg": "640x480",
      "eagle.jpg": "640x448",
      "giraffe.jpg": "640x640",
      "horses.jpg": "640x448",
      "kite.jpg": "640x448",
      "person.jpg": "640x448",
      "scream.jpg": "512x640",
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(REFERENCE).sort());
    for (const [photo, shape] of Object.entries(expected)) {
      const [byDefault, on, off] = [await run(photo), await run(photo, "on"), await run(photo, "off")];
      expect([photo, size(byDefault.input_size), size(on.input_size), size(off.input_size)]).toEqual([photo, shape, shape, "640x640"]);
    }
  }, 120_000);

  // The rectangle shows the model other grey than the square does, so its answers are not the
  // square's to the digit; the confident ones are the same objects in the same boxes.
  test("rect=on finds every confident (≥ 0.5) reference detection of the square in its box (IoU ≥ 0.9)", async () => {
    for (const [photo, answer] of Object.entries(REFERENCE)) {
      const on = await run(photo, "on");
      for (const ref of answer.detections.filter((d) => d.confidence >= 0.5)) {
        const best = Math.max(0, ...on.detections.filter((d: any) => d.class === ref.class).map((d: any) => iou(d.box, toBox(ref.box))));
        expect([photo, ref.class, ref.confidence, best >= 0.9]).toEqual([photo, ref.class, ref.confidence, true]);
      }
    }
  }, 60_000);

  test("dog.jpg at 640×480: dog and bicycle where the reference has them", async () => {
    const on = await run("dog.jpg");
    for (const cls of ["dog", "bicycle"]) expect(bestIou(on.detections, cls, DOG_REFERENCE["yolov8n.onnx"][cls])).toBeGreaterThan(0.9);
  });

  test("rect as a query parameter applies when the form does not set it, and the form's wins when both do", async () => {
    const dog = await readImage("dog.jpg");
    expect((await detect(svc.app, dog, { query: "rect=off", fields: { annotate: "false" } })).result.input_size).toEqual({ width: 640, height: 640 });
    expect((await detect(svc.app, dog, { query: "rect=off", fields: { rect: "on", annotate: "false" } })).result.input_size).toEqual({ width: 640, height: 480 });
  }, 30_000);

  test("a word rect no longer takes (tight) or never took (true) is refused with 422 naming the words it takes", async () => {
    for (const word of ["tight", "true"]) {
      const res = await upload(svc.app, await readImage("dog.jpg"), { fields: { rect: word } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as any;
      expect(body.errors).toContainEqual({ field: "rect", message: "must be one of off, on" });
    }
  });
});
