import type { Box } from "../domain/task";

/** One box in model-input pixels, before it is mapped back to the image. */
export interface Candidate {
  box: Box;
  score: number;
  classId: number;
}

export interface DecodeOptions {
  conf: number;
  /** class ids to keep; undefined keeps all */
  classes?: ReadonlySet<number>;
}

/**
 * Decodes an Ultralytics detection head, shape [1, 4 + nc, N]: rows 0..3 are
 * cx, cy, w, h and rows 4.. are per-class scores (already sigmoid; no
 * objectness). Each anchor takes its best class, then the class filter applies,
 * the same order Ultralytics' own NMS uses.
 */
export function decodeDetections(output: Float32Array, dims: readonly number[], opts: DecodeOptions): Candidate[] {
  if (dims.length !== 3 || dims[0] !== 1 || dims[1] < 5) {
    throw new RangeError(`expected output [1, 4+nc, N], got [${dims.join(", ")}]`);
  }
  const rows = dims[1];
  const n = dims[2];
  if (output.length !== rows * n) throw new RangeError(`output has ${output.length} values, dims say ${rows * n}`);
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let classId = -1;
    for (let c = 4; c < rows; c++) {
      const s = output[c * n + i];
      if (s > best) {
        best = s;
        classId = c - 4;
      }
    }
    // Above, not at: Ultralytics keeps `score > conf`.
    if (!(best > opts.conf)) continue;
    if (opts.classes && !opts.classes.has(classId)) continue;
    const cx = output[i];
    const cy = output[n + i];
    const hw = output[2 * n + i] / 2;
    const hh = output[3 * n + i] / 2;
    out.push({ box: { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh }, score: best, classId });
  }
  return out;
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export interface NmsOptions {
  iou: number;
  maxDet: number;
  /** suppress across classes too (one box per object, whatever its class) */
  agnostic: boolean;
}

/**
 * Greedy NMS, highest score first. Each candidate is compared only with boxes
 * already kept, and the loop stops at maxDet, so the cost is bounded by
 * N × maxDet even at conf = 0.
 */
export function nonMaxSuppression(candidates: readonly Candidate[], opts: NmsOptions): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= opts.maxDet) break;
    let suppressed = false;
    for (const k of kept) {
      if ((opts.agnostic || k.classId === c.classId) && iou(k.box, c.box) > opts.iou) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(c);
  }
  return kept;
}
