import { fileTypeFromBuffer } from "file-type";
import sharp from "sharp";
import { rejectUpload } from "../domain/errors";

/** file-type's MIME → sharp's input format key, for the raster formats we accept. */
const CANDIDATES: Record<string, keyof typeof sharp.format> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "heif",
  "image/tiff": "tiff",
  "image/bmp": "magick" as keyof typeof sharp.format,
};

/** Accepted only where this build of sharp can really decode the format from a buffer. */
export const ACCEPTED_MIME: ReadonlySet<string> = new Set(
  Object.entries(CANDIDATES)
    .filter(([, key]) => sharp.format[key]?.input?.buffer === true)
    .map(([mime]) => mime),
);

/**
 * Decides by the bytes alone (never the client's Content-Type or filename).
 * SVG is text to file-type and is never accepted: rasterising client SVG would
 * let an upload make the server fetch or render arbitrary content.
 */
export async function sniffImageType(bytes: Uint8Array): Promise<string> {
  const seen = await detectedType(bytes);
  if (!seen.accepted) throw rejectUpload.notAnAcceptedImage(seen.name, ACCEPTED_MIME);
  return seen.name;
}

/** What the bytes are, in words ("application/pdf (.pdf)", "not a recognised image"; an accepted one by its MIME type), and whether it is accepted. */
export async function detectedType(bytes: Uint8Array): Promise<{ accepted: boolean; name: string }> {
  // file-type's parsers can throw on hostile containers; unknown is the honest answer then.
  const type = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (type && ACCEPTED_MIME.has(type.mime)) return { accepted: true, name: type.mime };
  return { accepted: false, name: type ? `${type.mime} (.${type.ext})` : "not a recognised image" };
}
