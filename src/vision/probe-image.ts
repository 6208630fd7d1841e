import { imageSize } from "image-size";
import sharp, { type Metadata } from "sharp";
import { rejectUpload } from "../domain/errors";

export interface ImageHeader {
  /** dimensions after EXIF orientation is applied */
  width: number;
  height: number;
  format: string;
}

/**
 * A JPEG's size from its markers, read in this thread: no libvips call, so
 * an upload never queues behind the inference workers' image pipelines in
 * the shared thread pool. Undefined for anything else, or a header it cannot
 * read, which then goes to libvips.
 */
function jpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return undefined;
  try {
    const size = imageSize(bytes);
    if (size.type !== "jpg" || !size.width || !size.height) return undefined;
    // EXIF orientations 5-8 turn the picture a quarter: libvips' autoOrient swaps the sides the same way.
    const turned = size.orientation !== undefined && size.orientation >= 5 && size.orientation <= 8;
    return { width: turned ? size.height : size.width, height: turned ? size.width : size.height, format: "jpeg" };
  } catch {
    return undefined;
  }
}

/**
 * Reads only the header, so a pixel bomb is refused before anything is
 * decoded. Dimensions are the upright ones (EXIF orientation 5-8 swaps them).
 */
export async function probeImage(bytes: Uint8Array, maxPixels: number): Promise<ImageHeader> {
  const jpeg = jpegHeader(bytes);
  if (jpeg) {
    if (jpeg.width * jpeg.height > maxPixels) throw rejectUpload.tooManyPixels(jpeg.width, jpeg.height, maxPixels);
    return jpeg;
  }
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
