/** JPEGs carrying an EXIF orientation, made with sharp from an upright image, and illegal orientation values. */
import sharp, { type Sharp } from "sharp";

const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

/** Stored pixels of `src` such that a viewer applying EXIF orientation `n` sees `src` upright. */
export async function storedForOrientation(src: Uint8Array, n: number): Promise<Sharp> {
  const viaRaw = async (angle: number) => {
    const r = await sharp(src).rotate(angle).raw().toBuffer({ resolveWithObject: true });
    return sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } });
  };
  switch (n) {
    case 1: return sharp(src);
    case 2: return sharp(src).flop(); // mirrored horizontally
    case 3: return sharp(src).rotate(180);
    case 4: return sharp(src).flip(); // mirrored vertically
    case 5: return (await viaRaw(90)).flop(); // transposed (its own inverse)
    case 6: return sharp(src).rotate(270); // turned a quarter counter-clockwise; the viewer turns it back clockwise
    case 7: return (await viaRaw(270)).flop(); // transverse (its own inverse)
    case 8: return sharp(src).rotate(90);
    default: throw new Error(`no EXIF orientation ${n}`);
  }
}

/** A JPEG whose stored pixels are `src` transformed so that EXIF orientation `n` shows it upright. */
export async function jpegWithOrientation(src: Uint8Array, n: number, quality = 95): Promise<Uint8Array> {
  return u8(await (await storedForOrientation(src, n)).withMetadata({ orientation: n }).jpeg({ quality }).toBuffer());
}

/** Rewrites the value of the EXIF Orientation tag (0x0112) in place; any value, even illegal ones. */
export function patchExifOrientation(bytes: Uint8Array, value: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i + 10 <= out.length; i++) {
    // big-endian entry: tag 0112, type 3 (SHORT), count 1, value in the first 2 bytes
    if (out[i] === 0x01 && out[i + 1] === 0x12 && out[i + 2] === 0 && out[i + 3] === 3 && out[i + 4] === 0 && out[i + 7] === 1) {
      out[i + 8] = (value >> 8) & 0xff;
      out[i + 9] = value & 0xff;
      return out;
    }
    // little-endian entry
    if (out[i] === 0x12 && out[i + 1] === 0x01 && out[i + 2] === 3 && out[i + 3] === 0 && out[i + 4] === 1 && out[i + 7] === 0) {
      out[i + 8] = value & 0xff;
      out[i + 9] = (value >> 8) & 0xff;
      return out;
    }
  }
  throw new Error("no EXIF orientation tag found");
}
