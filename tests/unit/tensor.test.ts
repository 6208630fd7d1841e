import { describe, expect, test } from "bun:test";
import { LETTERBOX_GREY, letterboxTensor, TensorBuffer } from "../../src/detect/tensor";

const grey = LETTERBOX_GREY / 255;
const full = (w: number, h: number) => ({ dstW: w, dstH: h, newW: w, newH: h, left: 0, top: 0 });
const image = (data: number[], width: number, height: number) => ({ data: new Uint8Array(data), width, height });

describe("letterboxTensor", () => {
  test("2x2 RGB filling its box becomes three planes scaled to 0..1", () => {
    // pixels in row order: red, green, blue, (51,102,153) = (0.2, 0.4, 0.6)·255
    const out = letterboxTensor(image([255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 102, 153], 2, 2), full(2, 2));
    const expected = [
      1, 0, 0, 0.2, // R plane
      0, 1, 0, 0.4, // G plane
      0, 0, 1, 0.6, // B plane
    ];
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(12);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("non-square image keeps pixel order within each plane", () => {
    // 3×1: R values 10, 20, 30 must stay in that order in plane 0
    const out = letterboxTensor(image([10, 0, 255, 20, 0, 255, 30, 0, 255], 3, 1), full(3, 1));
    [10 / 255, 20 / 255, 30 / 255, 0, 0, 0, 1, 1, 1].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a 2×1 image centred in a 2×3 letterbox: grey rows above and below, pixels in the middle row", () => {
    const out = letterboxTensor(image([255, 0, 51, 0, 255, 102], 2, 1), { dstW: 2, dstH: 3, newW: 2, newH: 1, left: 0, top: 1 });
    const g = grey;
    const expected = [
      g, g, 1, 0, g, g, // R plane: row 0 grey, row 1 the image, row 2 grey
      g, g, 0, 1, g, g, // G plane
      g, g, 0.2, 0.4, g, g, // B plane
    ];
    expect(out.length).toBe(18);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a 1×1 image at column 1 of a 3×1 letterbox pads left and right", () => {
    const out = letterboxTensor(image([0, 255, 0], 1, 1), { dstW: 3, dstH: 1, newW: 1, newH: 1, left: 1, top: 0 });
    [grey, 0, grey, grey, 1, grey, grey, 0, grey].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("the image is resized to its place on the way in: 2×1 into a 4×1 box, OpenCV's INTER_LINEAR", () => {
    // R 0 → 200 over four output pixels: 0, 50, 150, 200 (resize-linear.test.ts has the taps)
    const out = letterboxTensor(image([0, 10, 255, 200, 10, 0], 2, 1), { dstW: 4, dstH: 2, newW: 4, newH: 1, left: 0, top: 0 });
    const g = grey;
    [0, 50, 150, 200].forEach((v, i) => expect(out[i]).toBeCloseTo(v / 255, 6));
    [g, g, g, g].forEach((v, i) => expect(out[4 + i]).toBeCloseTo(v, 6));
    [255, 191, 64, 0].forEach((v, i) => expect(out[16 + i]).toBeCloseTo(v / 255, 6));
  });

  test("a reused buffer is overwritten whole: what an earlier, larger image left in the padding turns grey", () => {
    const buf = new Float32Array(3 * 3).fill(0.99);
    const out = letterboxTensor(image([0, 255, 0], 1, 1), { dstW: 3, dstH: 1, newW: 1, newH: 1, left: 1, top: 0 }, buf);
    expect(out).toBe(buf);
    [grey, 0, grey, grey, 1, grey, grey, 0, grey].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a buffer of the wrong length, or a box that does not fit, throws", () => {
    expect(() => letterboxTensor(image(Array(11).fill(0), 2, 2), full(2, 2))).toThrow(RangeError);
    expect(() => letterboxTensor(image(Array(16).fill(0), 2, 2), full(2, 2))).toThrow(RangeError); // RGBA is not RGB
    expect(() => letterboxTensor(image(Array(12).fill(0), 2, 2), { dstW: 2, dstH: 2, newW: 2, newH: 2, left: 1, top: 0 })).toThrow(RangeError);
    expect(() => letterboxTensor(image(Array(12).fill(0), 2, 2), full(2, 2), new Float32Array(11))).toThrow(RangeError);
  });
});

describe("TensorBuffer: the input a worker reuses", () => {
  test("each shape is a view of one array, which grows only for a larger shape", () => {
    const buffers = new TensorBuffer();
    const small = buffers.for(2, 1);
    const large = buffers.for(2, 2);
    expect([small.length, large.length]).toEqual([6, 12]);
    expect(small.buffer).not.toBe(large.buffer); // grew
    const again = buffers.for(2, 1);
    expect(again.buffer).toBe(large.buffer); // a view of the larger one, from its start
    expect([again.byteOffset, again.length]).toEqual([0, 6]);
    expect(buffers.for(2, 2).buffer).toBe(large.buffer);
  });
});
