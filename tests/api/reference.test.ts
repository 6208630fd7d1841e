import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { iou } from "../../src/detect/postprocess";
import { detect } from "../support/http";
import { readImage } from "../support/paths";
import { REFERENCE, toBox } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1" });
});
afterAll(() => svc.stop());

/** Our detection that matches a reference one: same class, the best overlap. */
const counterpart = (ours: any[], ref: { class: string; box: [number, number, number, number] }) =>
  ours.filter((d) => d.class === ref.class).sort((a, b) => iou(b.box, toBox(ref.box)) - iou(a.box, toBox(ref.box)))[0];

// The yardstick users bring: what `yolo predict` gives yolov8n.onnx (an ONNX export runs on the
// square) on each shared photo, rebuilt from Ultralytics' own rules by a script that uses nothing
// of ours (../shared/reference/). rect=off is the square.
describe("Ultralytics' answers on the shared photos, rect=off", () => {
  for (const [photo, answer] of Object.entries(REFERENCE)) {
    test(`${photo}: each of its ${answer.detections.length} reference detections (class, IoU ≥ 0.9, confidence within 0.03), nothing extra above 0.27`, async () => {
      const task = await detect(svc.app, await readImage(photo), { fields: { rect: "off", annotate: "false" } });
      expect(task.status).toBe("completed");
      const ours = task.result.detections;
      expect(task.result.image).toEqual({ width: answer.width, height: answer.height });
      for (const ref of answer.detections) {
        const match = counterpart(ours, ref);
        expect([ref.class, ref.confidence, match && iou(match.box, toBox(ref.box)) >= 0.9, match && Math.abs(match.confidence - ref.confidence) <= 0.03]).toEqual([ref.class, ref.confidence, true, true]);
      }
      // A detection of ours no reference one matches may only sit near the threshold.
      const unmatched = ours.filter((d: any) => !answer.detections.some((ref) => ref.class === d.class && iou(d.box, toBox(ref.box)) >= 0.9));
      expect(unmatched.filter((d: any) => d.confidence > 0.27)).toEqual([]);
    }, 30_000);
  }
});
