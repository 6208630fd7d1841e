import { annotationLayout } from "../detect/annotation-layout";
import { blendRgba, fillRect, parseHexColor, type RgbBuffer } from "../detect/raster";
import type { Detection, ImageSize } from "../domain/task";
import type { RawImage } from "../vision/decode";
import { encodeJpeg } from "../vision/encode-jpeg";
import { renderTextLines } from "../vision/label-text";

/**
 * Draws the detections (in pixels of the original, `original` wide) onto the
 * decoded image, which may be a shrunk copy, and encodes it as JPEG. Draws in
 * place: the decoded pixels are not needed afterwards.
 */
export async function annotateImage(img: RawImage, detections: readonly Detection[], original: ImageSize): Promise<Uint8Array> {
  const layout = annotationLayout(detections, img.width, img.height, original.width / img.width);
  const canvas: RgbBuffer = { data: img.data, width: img.width, height: img.height };
  for (const e of layout.edges) fillRect(canvas, e.left, e.top, e.width, e.height, parseHexColor(e.color));
  const text = await renderTextLines(layout.labels.map((l) => l.text), layout.fontSize);
  layout.labels.forEach((label, i) => {
    // Bar then text, label by label: a later label covers an earlier one whole.
    fillRect(canvas, label.left, label.top, label.width, label.height, parseHexColor(label.color));
    if (!text) return;
    const top = label.top + Math.max(0, Math.floor((label.height - text.lineHeight) / 2));
    const line = text.rgba.subarray(i * text.lineHeight * text.width * 4, (i + 1) * text.lineHeight * text.width * 4);
    blendRgba(canvas, line, text.width, text.lineHeight, label.left + layout.pad, top);
  });
  return encodeJpeg(img);
}
