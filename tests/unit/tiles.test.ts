import { describe, expect, test } from "bun:test";
import { intersectionOverSmaller, mergeDetections } from "../../src/detect/merge-boxes";
import { planTiles, shouldTile } from "../../src/detect/tiles";
import { MAX_TILES } from "../../src/domain/task";
import type { Detection } from "../../src/domain/task";

describe("shouldTile", () => {
  const big = { width: 4000, height: 3000 };
  const photo = { width: 768, height: 576 };
  test("off never; on whenever the image is larger than a tile; auto from twice the model's input", () => {
    expect(shouldTile("off", big, 640, 640)).toBe(false);
    expect(shouldTile("on", photo, 640, 640)).toBe(true);
    expect(shouldTile("on", { width: 600, height: 400 }, 640, 640)).toBe(false); // one tile would be the image
    expect(shouldTile("auto", photo, 640, 640)).toBe(false);
    expect(shouldTile("auto", { width: 1279, height: 900 }, 640, 640)).toBe(false);
    expect(shouldTile("auto", { width: 900, height: 1280 }, 640, 640)).toBe(true);
    expect(shouldTile("auto", big, 640, 640)).toBe(true);
  });
});

describe("planTiles", () => {
  test("1600×1000 in 640 tiles overlapping 0.2: steps of 512, the last flush with the edge", () => {
    const { size, regions } = planTiles({ width: 1600, height: 1000 }, 640, 0.2);
    expect(size).toBe(640);
    const xs = [...new Set(regions.map((r) => r.x))];
    const ys = [...new Set(regions.map((r) => r.y))];
    expect(xs).toEqual([0, 512, 960]);
    expect(ys).toEqual([0, 360]);
    expect(regions).toHaveLength(6);
    for (const r of regions) expect([r.width, r.height]).toEqual([640, 640]);
  });

  test("a side shorter than a tile is one tile as long as the side", () => {
    const { regions } = planTiles({ width: 2000, height: 300 }, 640, 0);
    expect(regions.map((r) => [r.x, r.y, r.width, r.height])).toEqual([[0, 0, 640, 300], [640, 0, 640, 300], [1280, 0, 640, 300], [1360, 0, 640, 300]]);
  });

  test("every pixel of a 4000×3000 image is in some tile; no more than MAX_TILES, tiles grow for a 40 MP image", () => {
    const { regions } = planTiles({ width: 4000, height: 3000 }, 640, 0.2);
    expect(regions).toHaveLength(48);
    const covered = (x: number, y: number) => regions.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
    for (let y = 0; y < 3000; y += 97) for (let x = 0; x < 4000; x += 89) expect(covered(x, y)).toBe(true);
    expect(covered(3999, 2999)).toBe(true);
    const huge = planTiles({ width: 7300, height: 5500 }, 640, 0.2);
    expect(huge.regions.length).toBeLessThanOrEqual(MAX_TILES);
    expect(huge.size).toBeGreaterThan(640);
  });
});

describe("merging boxes from overlapping passes", () => {
  const det = (cls: string, confidence: number, x1: number, y1: number, x2: number, y2: number): Detection => ({
    class_id: cls === "dog" ? 16 : 2,
    class: cls,
    confidence,
    box: { x1, y1, x2, y2 },
  });

  test("intersection over the smaller box: 1 when one holds the other, 0 apart", () => {
    expect(intersectionOverSmaller({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 2, y1: 2, x2: 4, y2: 4 })).toBe(1);
    expect(intersectionOverSmaller({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 5, y1: 0, x2: 15, y2: 10 })).toBe(0.5);
    expect(intersectionOverSmaller({ x1: 0, y1: 0, x2: 10, y2: 10 }, { x1: 20, y1: 0, x2: 30, y2: 10 })).toBe(0);
  });

  test("a dog cut in two at a tile border becomes one box holding both halves, with the best confidence", () => {
    // left half from one tile, right half from the next, and the whole from the overlap
    const merged = mergeDetections([det("dog", 0.6, 100, 50, 160, 200), det("dog", 0.9, 100, 50, 200, 200), det("dog", 0.7, 150, 50, 200, 200)]);
    expect(merged).toEqual([det("dog", 0.9, 100, 50, 200, 200)]);
  });

  test("other classes and boxes apart stay as they are", () => {
    const input = [det("dog", 0.9, 0, 0, 100, 100), det("car", 0.8, 10, 10, 90, 90), det("dog", 0.7, 300, 300, 400, 400)];
    expect(mergeDetections(input)).toEqual(input);
  });

  test("boxes overlapping by less than half of the smaller one are two objects", () => {
    const input = [det("dog", 0.9, 0, 0, 100, 100), det("dog", 0.8, 60, 0, 160, 100)];
    expect(mergeDetections(input)).toHaveLength(2);
  });
});
