import { rejectRequest, rejectUpload } from "../domain/errors";

/** `data:image/png;base64,` and the like, before the payload. */
const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+(;[\w-]+=[\w.+-]+)*;base64,/i;
/** Standard or URL-safe base64, padded or not. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * The bytes of a base64 image (a data: URL too), held to the upload's limit
 * on its decoded size: the size is worked out from the text's length first,
 * so a string over the limit is refused before any of it is decoded.
 */
export function decodeBase64Image(text: string, maxBytes: number): Uint8Array {
  const payload = text.replace(DATA_URL, "");
  const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
  const decoded = Math.floor((payload.length * 3) / 4) - padding;
  if (decoded > maxBytes) throw rejectUpload.tooLarge(decoded, maxBytes);
  if (payload.length === 0) throw rejectUpload.empty();
  if (!BASE64.test(payload)) throw rejectRequest.invalidFields([{ field: "image", message: "must be base64 text or a data: URL (data:image/…;base64,…)" }]);
  return new Uint8Array(Buffer.from(payload, payload.includes("-") || payload.includes("_") ? "base64url" : "base64"));
}
