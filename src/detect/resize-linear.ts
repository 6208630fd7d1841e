/**
 * OpenCV's `cv2.resize(…, INTER_LINEAR)` on 8-bit images, the resize
 * Ultralytics' LetterBox runs: half-pixel centres, two taps per axis (no
 * antialiasing, however far it shrinks), coefficients in 11-bit fixed point.
 * libvips' linear kernel widens on downscales and differs from it by ~1 grey
 * level a pixel (up to 128 on upscales), enough to move answers near a
 * threshold (issue 26: dog.jpg's truck, kite.jpg's person).
 */

/** OpenCV's INTER_RESIZE_COEF_BITS: a tap's weight is an integer out of 2048. */
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** One axis of the resize: for each output index, the first source index and the two weights. */
export interface LinearTaps {
  first: Int32Array;
  /** weight of `first`, out of COEF_SCALE */
  w0: Int16Array;
  /** weight of `first + 1` (0 at the edges, where OpenCV clamps) */
  w1: Int16Array;
}

/** C's lrint under the default rounding mode, which OpenCV's cvRound is: halves go to the even neighbour. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The taps of one axis, as OpenCV's resize sets them up: the source position
 * `(d + 0.5)·scale − 0.5` in single precision, its floor and fraction, clamped
 * to the first and last source pixel, the fraction rounded to 1/2048.
 */
export function linearTaps(src: number, dst: number): LinearTaps {
  const scale = src / dst;
  const first = new Int32Array(dst);
  const w0 = new Int16Array(dst);
  const w1 = new Int16Array(dst);
  for (let d = 0; d < dst; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (s < 0) (s = 0), (f = 0);
    if (s >= src - 1) (s = src - 1), (f = 0);
    first[d] = s;
    w0[d] = roundEven(Math.fround(1 - f) * COEF_SCALE);
    w1[d] = roundEven(f * COEF_SCALE);
  }
  return { first, w0, w1 };
}

/** Where the resize writes: planar float32 CHW, `width` wide and `height` tall per plane, the image at `left`, `top`. */
export interface PlanarTarget {
  out: Float32Array;
  width: number;
  height: number;
  left: number;
  top: number;
}

/** 8-bit value → float in 0..1, as numpy's `float32 / 255` gives it. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Resizes interleaved 8-bit RGB (`srcW × srcH`) to `dstW × dstH` with OpenCV's
 * INTER_LINEAR and writes it straight into the planes of `to`, as 0..1 floats:
 * one pass, no intermediate image. The same size copies; an exact halving on
 * both axes averages 2×2 blocks, as OpenCV then switches to INTER_AREA.
 */
export function resizeLinearInto(rgb: Uint8Array, srcW: number, srcH: number, dstW: number, dstH: number, to: PlanarTarget): void {
  if (rgb.length !== srcW * srcH * 3) throw new RangeError(`expected ${srcW * srcH * 3} bytes of RGB, got ${rgb.length}`);
  if (to.left < 0 || to.top < 0 || to.left + dstW > to.width || to.top + dstH > to.height) throw new RangeError("the image does not fit its target");
  if (to.out.length !== to.width * to.height * 3) throw new RangeError("the target's buffer is not its size");
  const plane = to.width * to.height;
  const { out } = to;
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const p = (to.top + y) * to.width + to.left + x;
    out[p] = UNIT[r];
    out[plane + p] = UNIT[g];
    out[2 * plane + p] = UNIT[b];
  };
  if (srcW === dstW && srcH === dstH) {
    for (let y = 0, i = 0; y < dstH; y++) for (let x = 0; x < dstW; x++, i += 3) put(x, y, rgb[i], rgb[i + 1], rgb[i + 2]);
    return;
  }
  if (srcW === 2 * dstW && srcH === 2 * dstH) {
    const row = srcW * 3;
    for (let y = 0; y < dstH; y++) {
      for (let x = 0; x < dstW; x++) {
        const i = 2 * y * row + 6 * x;
        const avg = (c: number) => (rgb[i + c] + rgb[i + 3 + c] + rgb[i + row + c] + rgb[i + row + 3 + c] + 2) >> 2;
        put(x, y, avg(0), avg(1), avg(2));
      }
    }
    return;
  }
  const h = linearTaps(srcW, dstW);
  const v = linearTaps(srcH, dstH);
  // The horizontal pass of two source rows at a time, kept while consecutive output rows share them.
  const rows = [new Int32Array(dstW * 3), new Int32Array(dstW * 3)];
  const rowOf = [-1, -1];
  const horizontal = (sy: number): Int32Array => {
    const hit = rowOf.indexOf(sy);
    if (hit >= 0) return rows[hit];
    const slot = rowOf[0] === sy - 1 ? 1 : 0;
    const buf = rows[slot];
    rowOf[slot] = sy;
    const base = sy * srcW * 3;
    for (let x = 0; x < dstW; x++) {
      const i = base + h.first[x] * 3;
      const j = h.w1[x] === 0 ? i : i + 3;
      const a = h.w0[x];
      const b = h.w1[x];
      buf[3 * x] = rgb[i] * a + rgb[j] * b;
      buf[3 * x + 1] = rgb[i + 1] * a + rgb[j + 1] * b;
      buf[3 * x + 2] = rgb[i + 2] * a + rgb[j + 2] * b;
    }
    return buf;
  };
  for (let y = 0; y < dstH; y++) {
    const s0 = v.first[y];
    const r0 = horizontal(s0);
    const r1 = v.w1[y] === 0 ? r0 : horizontal(s0 + 1);
    const b0 = v.w0[y];
    const b1 = v.w1[y];
    const p = (to.top + y) * to.width + to.left;
    for (let x = 0, k = 0; x < dstW; x++, k += 3) {
      // OpenCV's vectorised vertical pass (VResizeLinearVec_32s8u): each row's sum
      // shifted right 4, multiplied by its weight keeping the high 16 bits, then
      // rounded off the last 2; within one grey level of the exact (sum + 2^21) >> 22.
      // Never outside 0..255: the weights sum to 2048 and the sums to at most 255·2048.
      out[p + x] = UNIT[(((r0[k] >> 4) * b0) >> 16) + (((r1[k] >> 4) * b1) >> 16) + 2 >> 2];
      out[plane + p + x] = UNIT[(((r0[k + 1] >> 4) * b0) >> 16) + (((r1[k + 1] >> 4) * b1) >> 16) + 2 >> 2];
      out[2 * plane + p + x] = UNIT[(((r0[k + 2] >> 4) * b0) >> 16) + (((r1[k + 2] >> 4) * b1) >> 16) + 2 >> 2];
    }
  }
}
