import { describe, expect, test } from "bun:test";
import { LETTERBOX_GREY, letterboxTensor } from "../../src/detect/tensor";

const grey = LETTERBOX_GREY / 255;
const full = (w: number, h: number) => ({ dstW: w, dstH: h, newW: w, newH: h, left: 0, top: 0 });

describe("letterboxTensor", () => {
  test("2x2 RGB filling its box becomes three planes scaled to 0..1", () => {
    // pixels in row order: red, green, blue, (51,102,153) = (0.2, 0.4, 0.6)·255
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 102, 153]);
    const out = letterboxTensor(rgb, full(2, 2));
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
    const rgb = new Uint8Array([10, 0, 255, 20, 0, 255, 30, 0, 255]);
    const out = letterboxTensor(rgb, full(3, 1));
    [10 / 255, 20 / 255, 30 / 255, 0, 0, 0, 1, 1, 1].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a 2×1 image centred in a 2×3 letterbox: grey rows above and below, pixels in the middle row", () => {
    const rgb = new Uint8Array([255, 0, 51, 0, 255, 102]);
    const out = letterboxTensor(rgb, { dstW: 2, dstH: 3, newW: 2, newH: 1, left: 0, top: 1 });
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
    const out = letterboxTensor(new Uint8Array([0, 255, 0]), { dstW: 3, dstH: 1, newW: 1, newH: 1, left: 1, top: 0 });
    [grey, 0, grey, grey, 1, grey, grey, 0, grey].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a buffer of the wrong length, or a box that does not fit, throws", () => {
    expect(() => letterboxTensor(new Uint8Array(11), full(2, 2))).toThrow(RangeError);
    expect(() => letterboxTensor(new Uint8Array(16), full(2, 2))).toThrow(RangeError); // RGBA is not RGB
    expect(() => letterboxTensor(new Uint8Array(12), { dstW: 2, dstH: 2, newW: 2, newH: 2, left: 1, top: 0 })).toThrow(RangeError);
  });
});
