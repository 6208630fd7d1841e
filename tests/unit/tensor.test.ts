import { describe, expect, test } from "bun:test";
import { hwcToChw } from "../../src/detect/tensor";

describe("hwcToChw", () => {
  test("2x2 RGB becomes three planes scaled to 0..1", () => {
    // pixels in row order: red, green, blue, (51,102,153) = (0.2, 0.4, 0.6)·255
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 102, 153]);
    const out = hwcToChw(rgb, 2, 2);
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
    const out = hwcToChw(rgb, 3, 1);
    [10 / 255, 20 / 255, 30 / 255, 0, 0, 0, 1, 1, 1].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  test("a buffer of the wrong length throws", () => {
    expect(() => hwcToChw(new Uint8Array(11), 2, 2)).toThrow(RangeError);
    expect(() => hwcToChw(new Uint8Array(16), 2, 2)).toThrow(RangeError); // RGBA is not RGB
  });
});
