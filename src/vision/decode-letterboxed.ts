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

export interface DecodeLimits {
  maxPixels: number;
  /** a libvips pipeline running longer fails, so a worker never hangs in native code */
  timeoutSeconds: number;
}

/** Run a pipeline under the limits; `truncated` fails cut-off files but accepts phone JPEGs with harmless warnings. */
export function limitedInput(bytes: Uint8Array, limits: DecodeLimits) {
  const options: SharpOptions = { limitInputPixels: limits.maxPixels, failOn: "truncated", pages: 1 };
  return sharp(bytes, options).timeout({ seconds: limits.timeoutSeconds });
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
  limits: DecodeLimits,
): Promise<LetterboxedImage> {
  const g = letterboxGeometry(upright.width, upright.height, dstW, dstH);
  try {
    const { data, info } = await limitedInput(bytes, limits)
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
