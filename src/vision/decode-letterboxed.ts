import sharp, { type SharpOptions } from "sharp";
import { DomainError } from "../domain/errors";
import { type LetterboxGeometry, letterboxGeometry } from "../detect/letterbox";

export interface LetterboxedImage {
  /** dstW × dstH × 3 interleaved 8-bit RGB */
  rgb: Uint8Array;
  geometry: LetterboxGeometry;
}

/** Ultralytics pads with grey 114. */
const PAD = { r: 114, g: 114, b: 114 };

export function strictInput(maxPixels: number): SharpOptions {
  // failOn 'warning': a truncated or corrupt file is an error, not a half-grey picture.
  return { limitInputPixels: maxPixels, failOn: "warning", pages: 1 };
}

export function decodeFailed(): DomainError {
  return new DomainError("decode_failed", "The image could not be decoded: it may be truncated or corrupt.");
}

/**
 * Decode, auto-orient, resize to fit and pad to the model's input size in one
 * libvips pipeline. Resizing a JPEG straight from the file lets libjpeg shrink
 * on load, so a 12 MP photo is never fully decoded for the model.
 */
export async function decodeLetterboxed(
  bytes: Uint8Array,
  upright: { width: number; height: number },
  dstW: number,
  dstH: number,
  maxPixels: number,
): Promise<LetterboxedImage> {
  const g = letterboxGeometry(upright.width, upright.height, dstW, dstH);
  try {
    const { data, info } = await sharp(bytes, strictInput(maxPixels))
      .autoOrient()
      .resize(g.newW, g.newH, { fit: "fill", kernel: "linear" })
      .extend({ left: g.left, top: g.top, right: dstW - g.newW - g.left, bottom: dstH - g.newH - g.top, background: PAD })
      .removeAlpha()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== dstW || info.height !== dstH || info.channels !== 3) throw decodeFailed();
    return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), geometry: g };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw decodeFailed();
  }
}
