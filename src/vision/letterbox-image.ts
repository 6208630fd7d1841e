import type { Placement } from "../domain/task";
import { fromRaw, type RawImage } from "./decode";

/** Ultralytics pads with grey 114. */
const PAD = { r: 114, g: 114, b: 114 };

/**
 * The model's input: the decoded image resized to the letterbox's inner size
 * and padded to dstW × dstH, as interleaved 8-bit RGB.
 */
export async function letterboxImage(img: RawImage, g: Placement): Promise<Uint8Array> {
  const data = await fromRaw(img)
    .resize(g.newW, g.newH, { fit: "fill", kernel: "linear" })
    .extend({ left: g.left, top: g.top, right: g.dstW - g.newW - g.left, bottom: g.dstH - g.newH - g.top, background: PAD })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
