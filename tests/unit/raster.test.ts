import { describe, expect, test } from "bun:test";
import { blendRgba, fillRect, parseHexColor, type RgbBuffer } from "../../src/detect/raster";

const blank = (width: number, height: number, v = 0): RgbBuffer => ({ data: new Uint8Array(width * height * 3).fill(v), width, height });
/** The image as rows of "r,g,b" strings, for readable expectations. */
const rows = (img: RgbBuffer) =>
  Array.from({ length: img.height }, (_, y) =>
    Array.from({ length: img.width }, (_, x) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)).join(",")),
  );

describe("raster drawing", () => {
  test("parseHexColor", () => {
    expect(parseHexColor("#520085")).toEqual([0x52, 0x00, 0x85]);
    expect(parseHexColor("#ffFFff")).toEqual([255, 255, 255]);
    expect(() => parseHexColor("red")).toThrow(RangeError);
  });

  test("fillRect fills exactly its pixels", () => {
    const img = blank(4, 3);
    fillRect(img, 1, 1, 2, 1, [9, 8, 7]);
    expect(rows(img)).toEqual([
      ["0,0,0", "0,0,0", "0,0,0", "0,0,0"],
      ["0,0,0", "9,8,7", "9,8,7", "0,0,0"],
      ["0,0,0", "0,0,0", "0,0,0", "0,0,0"],
    ]);
  });

  test("fillRect clips to the image, also from negative offsets", () => {
    const img = blank(3, 2);
    fillRect(img, -2, -1, 3, 5, [1, 1, 1]);
    expect(rows(img)).toEqual([
      ["1,1,1", "0,0,0", "0,0,0"],
      ["1,1,1", "0,0,0", "0,0,0"],
    ]);
    fillRect(img, 5, 0, 2, 2, [2, 2, 2]); // wholly outside: nothing
    expect(rows(img)[0][2]).toBe("0,0,0");
  });

  test("blendRgba: opaque replaces, transparent keeps, half blends (rounded)", () => {
    const img = blank(3, 1, 100);
    // 3×1 patch: opaque white, transparent red, half-alpha (128) black
    const patch = new Uint8Array([255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 128]);
    blendRgba(img, patch, 3, 1, 0, 0);
    // 100 · 127 / 255 = 49.8 → (0·128 + 100·127 + 127) / 255 = 50.3 → stored as 50
    expect(rows(img)).toEqual([["255,255,255", "100,100,100", "50,50,50"]]);
  });

  test("blendRgba clips a patch that hangs over the edges", () => {
    const img = blank(2, 2);
    const white = new Uint8Array(3 * 3 * 4).fill(255);
    blendRgba(img, white, 3, 3, 1, -1); // covers x 1..3, y -1..1 → only (1,0) and (1,1)
    expect(rows(img)).toEqual([
      ["0,0,0", "255,255,255"],
      ["0,0,0", "255,255,255"],
    ]);
  });
});
