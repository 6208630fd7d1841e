import { fromRaw, type RawImage } from "./decode";

/**
 * The decoded image shrunk to fit `maxSide` for drawing on (0, or an image
 * already that small: as it is). Only the annotation takes this pass: the
 * model's input is resized from the full decode, as Ultralytics does
 * (src/detect/resize-linear.ts).
 */
export async function shrinkForAnnotation(img: RawImage, maxSide: number): Promise<RawImage> {
  if (maxSide <= 0 || Math.max(img.width, img.height) <= maxSide) return img;
  // Linear is enough for a picture to look at, and twice as fast as sharp's default lanczos.
  const { data, info } = await fromRaw(img).resize({ width: maxSide, height: maxSide, fit: "inside", kernel: "linear" }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
