import type { Box, Placement } from "../domain/task";

/** Where an image of srcW×srcH lands inside a dstW×dstH letterboxed model input. */
export interface LetterboxGeometry extends Placement {
  srcW: number;
  srcH: number;
}

/** Scale to fit keeping the aspect ratio, then centre, as Ultralytics' LetterBox does. */
export function letterboxGeometry(srcW: number, srcH: number, dstW: number, dstH: number): LetterboxGeometry {
  if (!(srcW > 0 && srcH > 0 && dstW > 0 && dstH > 0)) throw new RangeError("letterbox sizes must be positive");
  const scale = Math.min(dstW / srcW, dstH / srcH);
  const newW = Math.max(1, Math.min(dstW, Math.round(srcW * scale)));
  const newH = Math.max(1, Math.min(dstH, Math.round(srcH * scale)));
  return {
    srcW,
    srcH,
    dstW,
    dstH,
    newW,
    newH,
    left: Math.floor((dstW - newW) / 2),
    top: Math.floor((dstH - newH) / 2),
  };
}

/** Maps a box from model-input pixels back to the original image, clipped to it. */
export function unletterboxBox(box: Box, g: LetterboxGeometry): Box {
  // Separate x and y factors: rounding newW/newH makes them differ slightly.
  const sx = g.newW / g.srcW;
  const sy = g.newH / g.srcH;
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    x1: clip((box.x1 - g.left) / sx, g.srcW),
    y1: clip((box.y1 - g.top) / sy, g.srcH),
    x2: clip((box.x2 - g.left) / sx, g.srcW),
    y2: clip((box.y2 - g.top) / sy, g.srcH),
  };
}
