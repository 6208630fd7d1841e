import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Box } from "../../src/domain/task";
import { iou } from "../../src/detect/postprocess";
import { SHARED } from "./paths";

type Corners = [number, number, number, number];

/** One photo's answer from Ultralytics' own predictor (../shared/reference/README.md says how it was made). */
export interface ReferenceAnswer {
  width: number;
  height: number;
  detections: { class: string; confidence: number; box: Corners }[];
}

/** What Ultralytics' predictor gives yolov8n.onnx (the square input) on each shared photo: the yardstick, not our own output. */
export const REFERENCE: Record<string, ReferenceAnswer> = JSON.parse(readFileSync(resolve(SHARED, "reference/yolov8n.json"), "utf8"));

/** Each class's most confident reference box on a photo. */
const strongest = (answer: ReferenceAnswer): Record<string, Corners> => {
  const out: Record<string, Corners> = {};
  for (const d of [...answer.detections].sort((a, b) => a.confidence - b.confidence)) out[d.class] = d.box;
  return out;
};

/**
 * dog.jpg's dog, bicycle and car, [x1, y1, x2, y2] in image pixels: yolov8n's from Ultralytics'
 * reference; YOLO11n's (no reference made for it) from ../shared/models/README.md.
 */
export const DOG_REFERENCE: Record<string, Record<string, Corners>> = {
  "yolov8n.onnx": (({ dog, bicycle, car }) => ({ dog, bicycle, car }))(strongest(REFERENCE["dog.jpg"])),
  "yolo11n-int8-dynamic-320.onnx": { dog: [130, 174, 311, 543], car: [467, 78, 697, 170], bicycle: [95, 133, 567, 419] },
};

export function toBox([x1, y1, x2, y2]: Corners): Box {
  return { x1, y1, x2, y2 };
}

/** The best IoU between the reference box of `cls` and any detection of that class. */
export function bestIou(detections: { class: string; box: Box }[], cls: string, ref: Corners): number {
  return Math.max(0, ...detections.filter((d) => d.class === cls).map((d) => iou(d.box, toBox(ref))));
}
