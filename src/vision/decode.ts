import sharp, { type SharpOptions } from "sharp";
import { DomainError, imageFailure } from "../domain/errors";
import type { Region } from "../domain/task";

// Every upload is a different image: libvips' operation cache never hits and only holds memory.
sharp.cache(false);

export interface DecodeLimits {
  maxPixels: number;
  /** a libvips pipeline running longer fails, so a worker never hangs in native code */
  timeoutSeconds: number;
}

/** An upright, 8-bit sRGB image in memory: interleaved RGB, width × height × 3 bytes. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Run a pipeline under the limits; `truncated` fails cut-off files but accepts phone JPEGs with harmless warnings.
 * `ignoreIcc`: the model was trained on pixels as encoded (Ultralytics reads with OpenCV, which ignores
 * embedded profiles), and the colour transform sharp otherwise applies cost more than libjpeg's decode
 * itself (640×424 with an sRGB profile: 9.2 → 4.1 ms of CPU). The annotated JPEG keeps the encoded values, as Ultralytics' does.
 */
export function limitedInput(bytes: Uint8Array, limits: DecodeLimits) {
  const options: SharpOptions = { limitInputPixels: limits.maxPixels, failOn: "truncated", pages: 1, ignoreIcc: true };
  return sharp(bytes, options).timeout({ seconds: limits.timeoutSeconds });
}

/** What a pipeline on an accepted image throws when libvips gives up on it (message: src/domain/errors.ts). */
export const decodeFailed = imageFailure.undecodable;

/**
 * The one decode of an upload: auto-oriented, sRGB, alpha dropped, and no
 * larger than `maxSide` (0: full size). Shrinking in the same pipeline lets
 * libjpeg decode a 12 MP photo at a fraction of its size instead of in full.
 * With `region` (upright pixels), only that part: libvips reads the file
 * only as far down as the region goes, and holds no decoded copy of the rest.
 */
export async function decodeUpright(bytes: Uint8Array, maxSide: number, limits: DecodeLimits, region?: Region): Promise<RawImage> {
  try {
    let pipeline = limitedInput(bytes, limits).autoOrient();
    if (region) pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
    // Linear is enough for a working copy and twice as fast as sharp's default lanczos.
    if (maxSide > 0) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: "inside", withoutEnlargement: true, kernel: "linear" });
    const { data, info } = await pipeline.removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw decodeFailed();
    return { data, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw decodeFailed();
  }
}

/** A raw image as sharp input. */
export function fromRaw(img: RawImage) {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}
