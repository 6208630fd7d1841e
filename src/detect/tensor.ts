import type { Placement } from "../domain/task";

/** Ultralytics pads the letterbox with grey 114 (of 255). */
export const LETTERBOX_GREY = 114;

/**
 * The model's input in one pass: the resized image (interleaved 8-bit RGB,
 * `newW × newH`, as sharp's raw output) written into planar float32 CHW in
 * 0..1 at its place in the `dstW × dstH` letterbox, the rest grey. Padding
 * here instead of in libvips saves a pipeline and a copy of every pixel.
 */
export function letterboxTensor(rgb: Uint8Array, g: Placement): Float32Array {
  const { newW, newH, dstW, dstH, left, top } = g;
  if (rgb.length !== newW * newH * 3) throw new RangeError(`expected ${newW * newH * 3} bytes of RGB, got ${rgb.length}`);
  if (left < 0 || top < 0 || left + newW > dstW || top + newH > dstH) throw new RangeError("the image does not fit its letterbox");
  const plane = dstW * dstH;
  const out = new Float32Array(plane * 3);
  const inv = 1 / 255;
  if (newW !== dstW || newH !== dstH) out.fill(LETTERBOX_GREY * inv);
  for (let y = 0, i = 0; y < newH; y++) {
    let p = (top + y) * dstW + left;
    for (let x = 0; x < newW; x++, p++, i += 3) {
      out[p] = rgb[i] * inv;
      out[plane + p] = rgb[i + 1] * inv;
      out[2 * plane + p] = rgb[i + 2] * inv;
    }
  }
  return out;
}
