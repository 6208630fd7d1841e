/**
 * Interleaved 8-bit RGB (HWC, as sharp's raw output) to planar float32 CHW in
 * 0..1, the layout and range Ultralytics models are exported with.
 */
export function hwcToChw(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  if (rgb.length !== plane * 3) throw new RangeError(`expected ${plane * 3} bytes of RGB, got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  const inv = 1 / 255;
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    out[p] = rgb[i] * inv;
    out[plane + p] = rgb[i + 1] * inv;
    out[2 * plane + p] = rgb[i + 2] * inv;
  }
  return out;
}
