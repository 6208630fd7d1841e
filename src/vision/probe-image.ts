import { imageSize } from "image-size";
import sharp, { type Metadata } from "sharp";
import { rejectUpload } from "../domain/errors";

export interface ImageHeader {
  /** dimensions after EXIF orientation is applied */
  width: number;
  height: number;
  format: string;
}

/** Frame headers image-size reads the size from (baseline, extended, progressive). */
const SIZE_MARKERS = new Set([0xc0, 0xc1, 0xc2]);

/**
 * How much of a JPEG image-size needs to read: up to its frame header, when
 * the segments before it are laid end to end (as encoders write them), else
 * the whole file. image-size copies everything it is handed before walking
 * the markers (the whole upload per probe, 1.4 MB for kite.jpg, garbage the
 * HTTP thread then collects), while the frame header follows the APPn
 * segments (EXIF, ICC): within 10 KB in every shared photo. Over a prefix
 * that holds the frame header, image-size walks the same segments and reads
 * the same bytes as over the whole file, so it gives the same answer.
 */
function headerEnd(bytes: Uint8Array): number {
  for (let at = 2; at + 3 < bytes.length; ) {
    if (bytes[at] !== 0xff) return bytes.length;
    // The frame header: its size fields end 9 bytes past the marker.
    if (SIZE_MARKERS.has(bytes[at + 1])) return Math.min(bytes.length, at + 10);
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return bytes.length;
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
    const size = imageSize(bytes.subarray(0, headerEnd(bytes)));
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
