/**
 * Drawing straight into an interleaved 8-bit RGB buffer. Annotation fills a
 * few thin rectangles and blends small text patches: done in place here, it
 * avoids a libvips composite pass over the whole image.
 */
export interface RgbBuffer {
  data: Uint8Array;
  width: number;
  height: number;
}

export function parseHexColor(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** The part of a rectangle inside the image, as [x0, y0, x1, y1) (empty when x1 ≤ x0 or y1 ≤ y0). */
function clipToImage(img: RgbBuffer, left: number, top: number, width: number, height: number) {
  return { x0: Math.max(0, left), y0: Math.max(0, top), x1: Math.min(img.width, left + width), y1: Math.min(img.height, top + height) };
}

/** Fills a rectangle (clipped to the image) with one colour. */
export function fillRect(img: RgbBuffer, left: number, top: number, width: number, height: number, [r, g, b]: readonly number[]) {
  const { x0, y0, x1, y1 } = clipToImage(img, left, top, width, height);
  for (let y = y0; y < y1; y++) {
    let i = (y * img.width + x0) * 3;
    for (let x = x0; x < x1; x++, i += 3) {
      img.data[i] = r;
      img.data[i + 1] = g;
      img.data[i + 2] = b;
    }
  }
}

/**
 * Blends a straight-alpha RGBA patch (sw × sh) onto the image at left, top,
 * clipped to the image.
 */
export function blendRgba(img: RgbBuffer, patch: Uint8Array, sw: number, sh: number, left: number, top: number) {
  const { x0, y0, x1, y1 } = clipToImage(img, left, top, sw, sh);
  for (let y = y0; y < y1; y++) {
    let d = (y * img.width + x0) * 3;
    let s = ((y - top) * sw + (x0 - left)) * 4;
    for (let x = x0; x < x1; x++, d += 3, s += 4) {
      const a = patch[s + 3];
      if (a === 0) continue;
      const inv = 255 - a;
      img.data[d] = (patch[s] * a + img.data[d] * inv + 127) / 255;
      img.data[d + 1] = (patch[s + 1] * a + img.data[d + 1] * inv + 127) / 255;
      img.data[d + 2] = (patch[s + 2] * a + img.data[d + 2] * inv + 127) / 255;
    }
  }
}
