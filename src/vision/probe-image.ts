import sharp, { type Metadata } from "sharp";
import { rejectUpload } from "../domain/errors";

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
    throw rejectUpload.unreadableHeader();
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw rejectUpload.headerWithoutSize();
  if (width * height > maxPixels) throw rejectUpload.tooManyPixels(width, height, maxPixels);
  return { width, height, format: meta.format ?? "unknown" };
}
