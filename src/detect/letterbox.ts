import type { Box, Placement } from "../domain/task";

/** Where an image of srcW×srcH lands inside a dstW×dstH letterboxed model input. */
export interface LetterboxGeometry extends Placement {
  srcW: number;
  srcH: number;
  /** the resize's gain: boxes map back by it alone, as Ultralytics' scale_boxes does */
  scale: number;
}

/** Python's round(): halves go to the even neighbour (Ultralytics rounds the resized size with it). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Ultralytics' LetterBox: the gain `r = min(dstW / srcW, dstH / srcH)`, the
 * resized size `round(src · r)`, centred. Its padding is `(dst − new) / 2` with
 * top and left `round(pad − 0.1)` and the rest after: for a whole or half pad
 * that is the floor, the odd pixel going after the image.
 */
export function letterboxGeometry(srcW: number, srcH: number, dstW: number, dstH: number): LetterboxGeometry {
  if (!(srcW > 0 && srcH > 0 && dstW > 0 && dstH > 0)) throw new RangeError("letterbox sizes must be positive");
  const scale = Math.min(dstW / srcW, dstH / srcH);
  // At least a pixel: Ultralytics would resize a 1×2000 sliver to zero width and fail.
  const newW = Math.max(1, Math.min(dstW, roundHalfEven(srcW * scale)));
  const newH = Math.max(1, Math.min(dstH, roundHalfEven(srcH * scale)));
  return centredIn({ srcW, srcH, scale, newW, newH }, dstW, dstH);
}

/** The same resized image centred in another input shape (at least its size), padded as LetterBox pads. */
export function centredIn(g: Pick<LetterboxGeometry, "srcW" | "srcH" | "scale" | "newW" | "newH">, dstW: number, dstH: number): LetterboxGeometry {
  const { srcW, srcH, scale, newW, newH } = g;
  return { srcW, srcH, scale, dstW, dstH, newW, newH, left: Math.floor((dstW - newW) / 2), top: Math.floor((dstH - newH) / 2) };
}

/** Maps a box from model-input pixels back to the original image: minus the padding, divided by the gain, clipped. */
export function unletterboxBox(box: Box, g: LetterboxGeometry): Box {
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    x1: clip((box.x1 - g.left) / g.scale, g.srcW),
    y1: clip((box.y1 - g.top) / g.scale, g.srcH),
    x2: clip((box.x2 - g.left) / g.scale, g.srcW),
    y2: clip((box.y2 - g.top) / g.scale, g.srcH),
  };
}
