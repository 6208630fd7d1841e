import { type ImageSize, MAX_TILES, MIN_TILE, type Region, type TileMode } from "../domain/task";

/** Whether `mode` tiles an image: `auto` only when its longer side is at least twice the model's input. */
export function shouldTile(mode: TileMode, image: ImageSize, modelSide: number, tileSide: number): boolean {
  const longer = Math.max(image.width, image.height);
  if (mode === "off" || longer <= tileSide) return false;
  return mode === "on" || longer >= 2 * modelSide;
}

/** Tile starts along one side: every `step`, the last flush with the end. */
function starts(length: number, size: number, step: number): number[] {
  if (length <= size) return [0];
  const n = Math.ceil((length - size) / step) + 1;
  return Array.from({ length: n }, (_, i) => Math.min(i * step, length - size));
}

/**
 * Square tiles of `size` (at the image's own resolution) covering the image,
 * neighbours overlapping by `overlap` of a tile, row by row; grown as needed
 * to stay within MAX_TILES. Returns the tiles and the size used.
 */
export function planTiles(image: ImageSize, size: number, overlap: number): { size: number; regions: Region[] } {
  let side = Math.max(MIN_TILE, Math.round(size));
  for (;;) {
    const step = Math.max(1, Math.round(side * (1 - overlap)));
    const xs = starts(image.width, side, step);
    const ys = starts(image.height, side, step);
    if (xs.length * ys.length <= MAX_TILES) {
      const regions = ys.flatMap((y) => xs.map((x) => ({ x, y, width: Math.min(side, image.width), height: Math.min(side, image.height) })));
      return { size: side, regions };
    }
    side = Math.ceil(side * 1.25);
  }
}
