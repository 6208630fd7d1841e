import type { Box } from "../../src/domain/task";
import { iou } from "../../src/detect/postprocess";

/** Detections ../shared/models/README.md lists for images/dog.jpg: [x1, y1, x2, y2] in image pixels. */
export const DOG_REFERENCE: Record<string, Record<string, [number, number, number, number]>> = {
  "yolov8n.onnx": { dog: [130, 218, 308, 540], bicycle: [132, 136, 568, 419], car: [467, 76, 693, 171] },
  "yolo11n-int8-dynamic-320.onnx": { dog: [130, 174, 311, 543], car: [467, 78, 697, 170], bicycle: [95, 133, 567, 419] },
};

export function toBox([x1, y1, x2, y2]: [number, number, number, number]): Box {
  return { x1, y1, x2, y2 };
}

/** The best IoU between the reference box of `cls` and any detection of that class. */
export function bestIou(detections: { class: string; box: Box }[], cls: string, ref: [number, number, number, number]): number {
  return Math.max(0, ...detections.filter((d) => d.class === cls).map((d) => iou(d.box, toBox(ref))));
}
