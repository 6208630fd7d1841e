import { annotationLayout } from "../detect/annotation-layout";
import type { Detection } from "../domain/task";
import { type DecodeLimits, decodeFailed, limitedInput } from "./decode-letterboxed";
import { labelLayers } from "./label-text";

export const ANNOTATED_JPEG_QUALITY = 85;

/** Draws the detections on the upright original and encodes it as JPEG. */
export async function annotateImage(
  bytes: Uint8Array,
  detections: readonly Detection[],
  upright: { width: number; height: number },
  limits: DecodeLimits,
): Promise<Uint8Array> {
  const layout = annotationLayout(detections, upright.width, upright.height);
  const text = await labelLayers(layout.labels, layout.fontSize, layout.pad, upright.width, upright.height);
  try {
    const out = await limitedInput(bytes, limits)
      .autoOrient()
      .composite([{ input: Buffer.from(layout.svg), top: 0, left: 0 }, ...text])
      .removeAlpha()
      .toColourspace("srgb")
      .jpeg({ quality: ANNOTATED_JPEG_QUALITY })
      .toBuffer();
    // A copy into a plain ArrayBuffer: sharp's own buffers cannot be transferred between threads.
    return new Uint8Array(out);
  } catch {
    throw decodeFailed();
  }
}
