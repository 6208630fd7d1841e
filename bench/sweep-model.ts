import type { InputShape } from "../src/detect/anchors";
import { letterboxGeometry, type LetterboxGeometry } from "../src/detect/letterbox";
import { decodeDetections, iou, nonMaxSuppression } from "../src/detect/postprocess";
import { letterboxTensor } from "../src/detect/tensor";
import type { Box, Placement } from "../src/domain/task";
import { describeModel } from "../src/model/model-info";
import { readOnnxMetadata } from "../src/model/onnx-metadata";
import { openOnnxSession } from "../src/model/onnx-session";
import { freeShapeModel, recogniseHead } from "../src/model/reshape-model";
import { FreeShapeSessions } from "../src/pipeline/shape-sessions";
import { decodeUpright } from "../src/vision/decode";
import { resizeForModel } from "../src/vision/letterbox-image";
import type { BenchImage } from "./images";

/** One detection in the photo's letterboxed pixels (the input's offset taken off), so placements compare directly. */
export interface SweepDetection {
  classId: number;
  score: number;
  box: Box;
}

/**
 * The model as the rect sweeps run it: one free-shape session, so any input
 * shape and any placement of the photo in it, with the service's own
 * pre-processing and its default post-processing (class-aware NMS at 0.45).
 */
export interface SweepModel {
  names: string[];
  square: InputShape;
  /** the photo resized as for the square, and where the square centres it: every placement uses these pixels */
  prepare(photo: BenchImage): Promise<{ rgb: Uint8Array; centred: LetterboxGeometry }>;
  detect(rgb: Uint8Array, g: Placement, conf: number): Promise<SweepDetection[]>;
  release(): Promise<void>;
}

export async function openSweepModel(modelPath: string): Promise<SweepModel> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const head = recogniseHead(bytes);
  const free = "reason" in head ? undefined : freeShapeModel(bytes, head);
  if ("reason" in head || !free) throw new Error("the rect sweeps need a model whose head takes free input dimensions (yolov8n.onnx does)");
  const session = await openOnnxSession(free, 2, { fed: [...head.anchorTensors, ...head.strideTensors] });
  const sessions = new FreeShapeSessions(session, head);
  const square = head.square;
  return {
    names: describeModel(modelPath, { ...session.io, inputShape: [1, 3, square.height, square.width] }, readOnnxMetadata(bytes)).names,
    square,
    async prepare(photo) {
      const centred = letterboxGeometry(photo.width, photo.height, square.width, square.height);
      const decoded = await decodeUpright(photo.bytes, Math.max(square.width, square.height), { maxPixels: 1e9, timeoutSeconds: 60 });
      return { rgb: await resizeForModel(decoded, centred), centred };
    },
    async detect(rgb, g, conf) {
      const { session: view } = await sessions.get({ width: g.dstW, height: g.dstH });
      const out = await view.run(letterboxTensor(rgb, g), [1, 3, g.dstH, g.dstW]);
      const kept = nonMaxSuppression(decodeDetections(out.data, out.dims, { conf }), { iou: 0.45, maxDet: 300, agnostic: false });
      return kept.map(({ classId, score, box }) => ({ classId, score, box: { x1: box.x1 - g.left, y1: box.y1 - g.top, x2: box.x2 - g.left, y2: box.y2 - g.top } }));
    },
    release: () => sessions.release(),
  };
}

/** The classes found, by name, sorted. */
export const classesOf = (found: SweepDetection[], names: string[]) => [...new Set(found.map((d) => names[d.classId] ?? String(d.classId)))].sort();

/**
 * The rect proof's check of one side against the other (tests/api/rect.test.ts):
 * each detection of `from` has a counterpart in `toLow` (the other side at a
 * lower threshold) of its class at IoU ≥ 0.9 and confidence within 0.05.
 * Returns whether all do, and the largest confidence change (a detection
 * without a counterpart counts as its whole confidence).
 */
export function counterparts(from: SweepDetection[], toLow: SweepDetection[]): { all: boolean; worst: number } {
  let all = true;
  let worst = 0;
  for (const d of from) {
    const match = toLow.filter((x) => x.classId === d.classId).sort((a, b) => iou(b.box, d.box) - iou(a.box, d.box))[0];
    const change = match && iou(match.box, d.box) >= 0.9 ? Math.abs(match.score - d.score) : d.score;
    worst = Math.max(worst, change);
    if (change > 0.05) all = false;
  }
  return { all, worst };
}
