import { describe, expect, test } from "bun:test";
import { linearTaps, resizeLinearInto } from "../../src/detect/resize-linear";

// Literal cases worked by OpenCV's rule. The module was also held against cv2.resize (OpenCV 4.6,
// INTER_LINEAR) on random images of nine sizes: identical on every downscale, within one grey
// level on upscales (OpenCV's vector tail rounds its last few pixels the exact way).
describe("linearTaps: OpenCV's source positions and weights (out of 2048)", () => {
  const taps = (src: number, dst: number) => {
    const t = linearTaps(src, dst);
    return [Array.from(t.first), Array.from(t.w0), Array.from(t.w1)];
  };

  test("halving: each output pixel halfway between two source pixels", () => {
    // (d + 0.5)·2 − 0.5 = 0.5, 2.5
    expect(taps(4, 2)).toEqual([[0, 2], [1024, 1024], [1024, 1024]]);
  });

  test("doubling: half-pixel centres, the edges clamped to the first and last pixel", () => {
    // (d + 0.5)·0.5 − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the last: clamped)
    expect(taps(2, 4)).toEqual([[0, 0, 0, 1], [2048, 1536, 512, 2048], [0, 512, 1536, 0]]);
  });

  test("3 → 2: positions 0.25 and 1.75", () => {
    expect(taps(3, 2)).toEqual([[0, 1], [1536, 512], [512, 1536]]);
  });
});

describe("resizeLinearInto: into planar floats at a place in the target", () => {
  const target = (width: number, height: number, left = 0, top = 0) => ({ out: new Float32Array(3 * width * height), width, height, left, top });
  const bytes = (out: Float32Array) => Array.from(out, (v) => Math.round(v * 255));

  test("2×1 → 4×1: each channel interpolated with the taps above, fixed point rounded as OpenCV does", () => {
    const to = target(4, 1);
    // R 0 → 200, G 10 throughout, B 255 → 0
    resizeLinearInto(new Uint8Array([0, 10, 255, 200, 10, 0]), 2, 1, 4, 1, to);
    expect(bytes(to.out)).toEqual([0, 50, 150, 200, 10, 10, 10, 10, 255, 191, 64, 0]);
  });

  test("an exact halving on both axes averages 2×2 blocks (OpenCV switches to INTER_AREA there)", () => {
    const to = target(2, 1);
    const r = [10, 20, 30, 40, 50, 60, 70, 80]; // 4×2, row by row; G and B 0
    resizeLinearInto(new Uint8Array(r.flatMap((v) => [v, 0, 255])), 4, 2, 2, 1, to);
    // (10 + 20 + 50 + 60 + 2) >> 2 = 35, (30 + 40 + 70 + 80 + 2) >> 2 = 55
    expect(bytes(to.out)).toEqual([35, 55, 0, 0, 255, 255]);
  });

  test("3×1 → 2×1 (a downscale that is no halving): 0.75·a + 0.25·b", () => {
    const to = target(2, 1);
    resizeLinearInto(new Uint8Array([0, 0, 0, 100, 0, 0, 200, 0, 0]), 3, 1, 2, 1, to);
    expect(bytes(to.out).slice(0, 2)).toEqual([25, 175]);
  });

  test("the same size is a copy, written at its place; the rest of the target is left alone", () => {
    const to = target(3, 2, 1, 1);
    to.out.fill(-1);
    resizeLinearInto(new Uint8Array([255, 0, 51, 0, 255, 102]), 2, 1, 2, 1, to);
    expect(Array.from(to.out.subarray(0, 6))).toEqual([-1, -1, -1, -1, 1, 0]);
    expect(to.out[6 + 4]).toBe(0);
    expect(to.out[12 + 5]).toBeCloseTo(0.4, 6);
  });

  test("sizes that do not match the bytes, or a place outside the target, throw", () => {
    expect(() => resizeLinearInto(new Uint8Array(5), 2, 1, 4, 1, target(4, 1))).toThrow(RangeError);
    expect(() => resizeLinearInto(new Uint8Array(6), 2, 1, 4, 1, target(4, 1, 1, 0))).toThrow(RangeError);
    expect(() => resizeLinearInto(new Uint8Array(6), 2, 1, 4, 1, { ...target(4, 1), out: new Float32Array(5) })).toThrow(RangeError);
  });
});
