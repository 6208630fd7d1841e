import type { Placement } from "../domain/task";
import { fromRaw, type RawImage } from "./decode";

/**
 * The decoded image resized to the letterbox's inner size (`newW × newH`),
 * as interleaved 8-bit RGB; the padding is added with the float conversion
 * (detect/tensor.ts).
 */
export async function resizeForModel(img: RawImage, g: Placement): Promise<Uint8Array> {
  const data = await fromRaw(img).resize(g.newW, g.newH, { fit: "fill", kernel: "linear" }).raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
