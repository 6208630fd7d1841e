import type { Placement } from "../domain/task";
import { resizeLinearInto } from "./resize-linear";

/** Ultralytics pads the letterbox with grey 114 (of 255). */
export const LETTERBOX_GREY = 114;

/** Interleaved 8-bit RGB pixels, `width × height × 3` bytes, row by row. */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The model's input in one pass: the image resized to `newW × newH` with
 * OpenCV's INTER_LINEAR (resize-linear.ts) straight into planar float32 CHW in
 * 0..1 at its place in the `dstW × dstH` letterbox, the padding grey. `out`,
 * when given, must hold `3 × dstW × dstH` floats and is overwritten whole: a
 * worker reuses one (TensorBuffer), where a new 4.4 MB array cost
 * 12–14 ms an image in page faults and zeroing against ~1 ms reused (issue 26).
 */
export function letterboxTensor(image: RgbPixels, g: Placement, out: Float32Array = new Float32Array(3 * g.dstW * g.dstH)): Float32Array {
  const { newW, newH, dstW, dstH, left, top } = g;
  if (left < 0 || top < 0 || left + newW > dstW || top + newH > dstH) throw new RangeError("the image does not fit its letterbox");
  if (out.length !== 3 * dstW * dstH) throw new RangeError(`a ${dstW}x${dstH} input needs ${3 * dstW * dstH} floats, the buffer has ${out.length}`);
  fillPadding(out, g);
  resizeLinearInto(image.data, image.width, image.height, newW, newH, { out, width: dstW, height: dstH, left, top });
  return out;
}

/** Grey everywhere the image does not cover: the rows above and below it, and the columns beside it. */
function fillPadding(out: Float32Array, { newW, newH, dstW, dstH, left, top }: Placement) {
  const grey = LETTERBOX_GREY / 255;
  const plane = dstW * dstH;
  const right = left + newW;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    out.fill(grey, base, base + top * dstW);
    out.fill(grey, base + (top + newH) * dstW, base + plane);
    if (newW === dstW) continue;
    for (let y = top; y < top + newH; y++) {
      out.fill(grey, base + y * dstW, base + y * dstW + left);
      out.fill(grey, base + y * dstW + right, base + (y + 1) * dstW);
    }
  }
}

/**
 * The input buffer a worker reuses: one array as large as the largest shape it
 * has run, every shape a view of its start. A worker runs one image at a time,
 * and ONNX Runtime reads the input only during its run, so the next image may
 * overwrite it; one array (4.9 MB at 640×640) bounds it whatever the shapes.
 */
export class TensorBuffer {
  private buf = new Float32Array(new ArrayBuffer(0));

  for(width: number, height: number): Float32Array<ArrayBuffer> {
    const n = 3 * width * height;
    if (n > this.buf.length) this.buf = new Float32Array(n);
    return this.buf.subarray(0, n);
  }
}
