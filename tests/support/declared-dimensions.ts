/** Image headers that declare chosen (huge or zero) dimensions, whatever pixels follow. */
import { concat, text } from "./crafted-files";

/** Rewrites the dimensions of the first SOFn marker of a JPEG (e.g. to declare 65500 × 65500). */
export function patchJpegSof(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  let i = 2;
  while (i + 4 < out.length) {
    if (out[i] !== 0xff) throw new Error(`not a marker at ${i}`);
    const marker = out[i + 1];
    const len = (out[i + 2] << 8) | out[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // FF Cn, length(2), precision(1), height(2), width(2)
      out[i + 5] = (height >> 8) & 0xff;
      out[i + 6] = height & 0xff;
      out[i + 7] = (width >> 8) & 0xff;
      out[i + 8] = width & 0xff;
      return out;
    }
    i += 2 + len;
  }
  throw new Error("no SOF marker");
}

/** A GIF header whose logical screen and first image descriptor declare width × height. */
export function gifDeclaring(width: number, height: number): Uint8Array {
  const b = new Uint8Array(13 + 10 + 4 + 1);
  b.set(text("GIF89a"), 0);
  const v = new DataView(b.buffer);
  v.setUint16(6, width, true);
  v.setUint16(8, height, true);
  b[10] = 0x00; // no global colour table
  b[13] = 0x2c; // image descriptor
  v.setUint16(18, width, true);
  v.setUint16(20, height, true);
  b.set([0x02, 0x02, 0x44, 0x00], 23); // LZW min code size 2, a 2-byte block, terminator
  b[27] = 0x3b;
  return b;
}

/** A WebP VP8X header declaring a canvas of width × height (each up to 2^24). */
export function webpDeclaring(width: number, height: number): Uint8Array {
  const vp8x = new Uint8Array(10);
  const w = width - 1;
  const h = height - 1;
  vp8x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff], 4);
  vp8x.set([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 7);
  const body = concat([text("WEBP"), text("VP8X"), le32(10), vp8x]);
  return concat([text("RIFF"), le32(body.length), body]);
}

export function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
