import { describe, expect, test } from "bun:test";
import type { Candidate } from "../../src/detect/postprocess";
import { decodeDetections, iou, nonMaxSuppression } from "../../src/detect/postprocess";
import type { Box } from "../../src/domain/task";

/**
 * A hand-built head output, shape [1, 4+3, 4]: row r of anchor i is at r·4 + i.
 *
 *   anchor       cx   cy   w   h    cls0  cls1   cls2      best
 *   a0          100   50  20  10     0.1   0.9   0.2      cls1 0.9
 *   a1          200  200  50 100     0.5   0.25  0.125    cls0 0.5 (at the tests' threshold)
 *   a2           10   10   4   4     0.2   0.3   0.4999   cls2 just below 0.5
 *   a3          300  300  10  10     0.6   0.7   0.05     cls1 0.7 (cls0 also ≥ 0.5)
 */
/** Just under 0.5: a score must be above the threshold (Ultralytics keeps `score > conf`), so a1 stays. */
const CONF = 0.4999999;
const N = 4;
const DIMS = [1, 7, N];
// prettier-ignore
const HEAD = new Float32Array([
  100, 200, 10, 300,        // cx
  50, 200, 10, 300,         // cy
  20, 50, 4, 10,            // w
  10, 100, 4, 10,           // h
  0.1, 0.5, 0.2, 0.6,       // class 0
  0.9, 0.25, 0.3, 0.7,      // class 1
  0.2, 0.125, 0.4999, 0.05, // class 2
]);

describe("decodeDetections", () => {
  test("converts cx,cy,w,h to corners and takes each anchor's best class", () => {
    const out = decodeDetections(HEAD, DIMS, { conf: CONF });
    // a0: 100±10, 50±5; a1: 200±25, 200±50; a3: 300±5, 300±5. a2 is below conf.
    expect(out).toEqual([
      { box: { x1: 90, y1: 45, x2: 110, y2: 55 }, score: Math.fround(0.9), classId: 1 },
      { box: { x1: 175, y1: 150, x2: 225, y2: 250 }, score: 0.5, classId: 0 },
      { box: { x1: 295, y1: 295, x2: 305, y2: 305 }, score: Math.fround(0.7), classId: 1 },
    ]);
  });

  test("the confidence threshold is exclusive, as Ultralytics' score > conf", () => {
    // a1 scores exactly 0.5: dropped at conf 0.5, kept just below it
    expect(decodeDetections(HEAD, DIMS, { conf: 0.5 }).map((c) => c.score)).not.toContain(0.5);
    expect(decodeDetections(HEAD, DIMS, { conf: CONF }).map((c) => c.score)).toContain(0.5);
  });

  test("conf 0 keeps every anchor", () => {
    expect(decodeDetections(HEAD, DIMS, { conf: 0 }).map((c) => c.classId)).toEqual([1, 0, 2, 1]);
  });

  test("the class filter applies after argmax", () => {
    // Only class 0 allowed: a1 (best cls0) stays. a3's cls0 score 0.6 clears conf,
    // but its best class is 1, so the anchor is dropped rather than relabelled.
    const out = decodeDetections(HEAD, DIMS, { conf: CONF, classes: new Set([0]) });
    expect(out).toEqual([{ box: { x1: 175, y1: 150, x2: 225, y2: 250 }, score: 0.5, classId: 0 }]);
  });

  test("an empty class set keeps nothing", () => {
    expect(decodeDetections(HEAD, DIMS, { conf: 0, classes: new Set() })).toEqual([]);
  });

  test("ties go to the lowest class id", () => {
    // one anchor, nc = 2, both classes 0.5
    const out = decodeDetections(new Float32Array([5, 5, 2, 2, 0.5, 0.5]), [1, 6, 1], { conf: 0.25 });
    expect(out.map((c) => c.classId)).toEqual([0]);
  });

  test("NaN scores never pass the threshold", () => {
    const out = decodeDetections(new Float32Array([5, 5, 2, 2, Number.NaN]), [1, 5, 1], { conf: 0 });
    expect(out).toEqual([]);
  });

  test("bad dims or a length mismatch throw", () => {
    expect(() => decodeDetections(HEAD, [7, 4], { conf: 0.5 })).toThrow(RangeError); // rank 2
    expect(() => decodeDetections(HEAD, [2, 7, 2], { conf: 0.5 })).toThrow(RangeError); // batch 2
    expect(() => decodeDetections(new Float32Array(16), [1, 4, 4], { conf: 0.5 })).toThrow(RangeError); // no classes
    expect(() => decodeDetections(HEAD, [1, 7, 5], { conf: 0.5 })).toThrow(RangeError); // 35 ≠ 28 values
  });
});

describe("iou", () => {
  const a: Box = { x1: 0, y1: 0, x2: 10, y2: 10 };

  test("identical boxes give 1", () => {
    expect(iou(a, { ...a })).toBe(1);
  });

  test("disjoint boxes give 0", () => {
    expect(iou(a, { x1: 20, y1: 20, x2: 30, y2: 30 })).toBe(0);
  });

  test("boxes touching along an edge or at a corner give 0", () => {
    expect(iou(a, { x1: 10, y1: 0, x2: 20, y2: 10 })).toBe(0);
    expect(iou(a, { x1: 10, y1: 10, x2: 20, y2: 20 })).toBe(0);
  });

  test("partial overlap", () => {
    // intersection 5×5 = 25, union 100 + 100 - 25 = 175 → 1/7
    expect(iou(a, { x1: 5, y1: 5, x2: 15, y2: 15 })).toBeCloseTo(1 / 7, 12);
    // a 10×10 box containing a 5×5 one: 25 / 100
    expect(iou(a, { x1: 0, y1: 0, x2: 5, y2: 5 })).toBe(0.25);
  });

  test("is symmetric", () => {
    const b = { x1: 3, y1: -2, x2: 12, y2: 7 };
    expect(iou(a, b)).toBe(iou(b, a));
  });

  test("degenerate (zero-area) boxes give 0", () => {
    expect(iou({ x1: 5, y1: 5, x2: 5, y2: 5 }, { x1: 5, y1: 5, x2: 5, y2: 5 })).toBe(0);
  });
});

describe("nonMaxSuppression", () => {
  const cand = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): Candidate => ({
    box: { x1, y1, x2, y2 },
    score,
    classId,
  });
  // B overlaps A: intersection 9×9 = 81, union 200 - 81 = 119 → IoU ≈ 0.68
  const A = cand(0, 0, 10, 10, 0.9, 0);
  const B = cand(1, 1, 11, 11, 0.8, 1);

  test("class-aware: overlapping boxes of different classes both survive", () => {
    expect(nonMaxSuppression([A, B], { iou: 0.45, maxDet: 300, agnostic: false })).toEqual([A, B]);
  });

  test("agnostic: the lower-scoring overlapping box is suppressed whatever its class", () => {
    expect(nonMaxSuppression([B, A], { iou: 0.45, maxDet: 300, agnostic: true })).toEqual([A]);
  });

  test("same class overlapping boxes are suppressed even when not agnostic", () => {
    const B0 = { ...B, classId: 0 };
    expect(nonMaxSuppression([A, B0], { iou: 0.45, maxDet: 300, agnostic: false })).toEqual([A]);
  });

  test("suppression needs IoU strictly greater than the threshold", () => {
    // 3×1 boxes shifted by 1: intersection 2, union 4 → IoU exactly 0.5
    const p = cand(0, 0, 3, 1, 0.9);
    const q = cand(1, 0, 4, 1, 0.8);
    expect(iou(p.box, q.box)).toBe(0.5);
    expect(nonMaxSuppression([p, q], { iou: 0.5, maxDet: 300, agnostic: false })).toEqual([p, q]);
    expect(nonMaxSuppression([p, q], { iou: 0.49, maxDet: 300, agnostic: false })).toEqual([p]);
  });

  test("a box is compared only with boxes kept, not with ones already suppressed", () => {
    // P-Q IoU 60/140 ≈ 0.43, Q-R ≈ 0.43, P-R 20/180 ≈ 0.11. At 0.3, Q goes; R stays
    // because the only box that overlaps it enough (Q) was itself suppressed.
    const P = cand(0, 0, 10, 10, 0.9);
    const Q = cand(4, 0, 14, 10, 0.8);
    const R = cand(8, 0, 18, 10, 0.7);
    expect(nonMaxSuppression([R, Q, P], { iou: 0.3, maxDet: 300, agnostic: false })).toEqual([P, R]);
  });

  test("maxDet caps the output at the best-scoring boxes", () => {
    const disjoint = [0.3, 0.9, 0.1, 0.7, 0.5].map((s, i) => cand(i * 20, 0, i * 20 + 10, 10, s));
    const out = nonMaxSuppression(disjoint, { iou: 0.45, maxDet: 3, agnostic: false });
    expect(out.map((c) => c.score)).toEqual([0.9, 0.7, 0.5]);
  });

  test("output is sorted by score, highest first", () => {
    const disjoint = [0.2, 0.6, 0.4, 0.8].map((s, i) => cand(i * 20, 0, i * 20 + 10, 10, s, i));
    const out = nonMaxSuppression(disjoint, { iou: 0.45, maxDet: 300, agnostic: false });
    expect(out.map((c) => c.score)).toEqual([0.8, 0.6, 0.4, 0.2]);
  });

  test("does not mutate (or reorder) its input", () => {
    const input = Object.freeze([B, cand(50, 50, 60, 60, 0.1), A]);
    const before = structuredClone(input);
    nonMaxSuppression(input, { iou: 0.45, maxDet: 1, agnostic: true });
    expect(input).toEqual(before);
  });

  test("empty input gives empty output", () => {
    expect(nonMaxSuppression([], { iou: 0.45, maxDet: 300, agnostic: false })).toEqual([]);
  });
});
