import sharp, { type Metadata } from "sharp";
import { DomainError } from "../domain/errors";

export interface ImageHeader {
  /** dimensions after EXIF orientation is applied */
  width: number;
  height: number;
  format: string;
}

/**
 * Reads only the header, so a pixel bomb is refused before anything is
 * decoded. Dimensions are the upright ones (EXIF orientation 5-8 swaps them).
 */
export async function probeImage(bytes: Uint8Array, maxPixels: number): Promise<ImageHeader> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch {
    throw new DomainError("unreadable_image", "The image header could not be read.");
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new DomainError("unreadable_image", "The image header has no dimensions.");
  if (width * height > maxPixels) {
    throw new DomainError(
      "too_many_pixels",
      `The image is ${width}×${height} (${width * height} pixels); the limit is ${maxPixels} pixels.`,
    );
  }
  return { width, height, format: meta.format ?? "unknown" };
}
