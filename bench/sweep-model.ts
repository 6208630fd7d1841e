import type { InputShape } from "../src/detect/anchors";
import { letterboxGeometry, type LetterboxGeometry } from "../src/detect/letterbox";
import { decodeDetections, iou, nonMaxSuppression } from "../src/detect/postprocess";
import { letterboxTensor } from "../src/detect/tensor";
import type { Box, Placement } from "../src/domain/task";
import { describeModel } from "../src/model/model-info";
import { readOnnxMetadata } from "../src/model/onnx-metadata";
import { recogniseHead } from "../src/model/reshape-model";
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { openFree } from "../src/pipeline/load-detector";
import { decodeUpright } from "../src/vision/decode";
import { resizeForModel } from "../src/vision/letterbox-image";
import type { BenchImage } from "./images";

/** One detection in the photo's letterboxed pixels (the input's offset taken off), so placements compare directly. */
export interface SweepDetection {
  classId: number;
  score: number;
  box: Box;
}

/** The service's defaults: conf 0.25, class-aware NMS at IoU 0.45, up to 300 boxes. */
const SWEEP_CONF = DEFAULT_PARAMS.conf;
const NMS = { iou: DEFAULT_PARAMS.iou, maxDet: DEFAULT_PARAMS.maxDet, agnostic: DEFAULT_PARAMS.agnosticNms };
/** The rect proof's confidence tolerance; counterparts are looked for this far under the threshold too. */
const PROOF_TOLERANCE = 0.05;
/** Where the other side's counterparts are looked for. */
const SWEEP_LOW_CONF = SWEEP_CONF - PROOF_TOLERANCE;

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
  /**
   * One run with the photo placed at `g`: its detections down to SWEEP_LOW_CONF
   * (`atDefaultConf` keeps the service's own). Greedy NMS never lets a weaker
   * box suppress a stronger one, so those at SWEEP_CONF are exactly what a run
   * at SWEEP_CONF keeps (below max_det, which these photos never reach).
   */
  detect(rgb: Uint8Array, g: Placement): Promise<SweepDetection[]>;
  release(): Promise<void>;
}

export async function openSweepModel(modelPath: string): Promise<SweepModel> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const head = recogniseHead(bytes);
  // The workers' own free session, checked as they check it; why it failed, if it did.
  let why = "reason" in head ? head.reason : "no free input dimensions for this head";
  const sessions = "reason" in head ? undefined : await openFree(bytes, head, 2, (_level, msg, fields) => (why = `${msg} ${JSON.stringify(fields ?? {})}`));
  if (!sessions) throw new Error(`the rect sweeps need a model whose head takes free input dimensions (yolov8n.onnx does): ${why}`);
  const square = sessions.head.square;
  return {
    names: describeModel(modelPath, { ...sessions.square.io, inputShape: [1, 3, square.height, square.width] }, readOnnxMetadata(bytes)).names,
    square,
    async prepare(photo) {
      const centred = letterboxGeometry(photo.width, photo.height, square.width, square.height);
      const decoded = await decodeUpright(photo.bytes, Math.max(square.width, square.height), { maxPixels: 1e9, timeoutSeconds: 60 });
      return { rgb: await resizeForModel(decoded, centred), centred };
    },
    async detect(rgb, g) {
      const { session: view } = await sessions.get({ width: g.dstW, height: g.dstH });
      const out = await view.run(letterboxTensor(rgb, g), [1, 3, g.dstH, g.dstW]);
      const kept = nonMaxSuppression(decodeDetections(out.data, out.dims, { conf: SWEEP_LOW_CONF }), NMS);
      return kept.map(({ classId, score, box }) => ({ classId, score, box: { x1: box.x1 - g.left, y1: box.y1 - g.top, x2: box.x2 - g.left, y2: box.y2 - g.top } }));
    },
    release: () => sessions.release(),
  };
}

/** What a run at the service's default threshold keeps of `detect`'s detections. */
export const atDefaultConf = (found: SweepDetection[]) => found.filter((d) => d.score >= SWEEP_CONF);

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
    if (change > PROOF_TOLERANCE) all = false;
  }
  return { all, worst };
}
