import type { ImageSize, RectMode } from "../domain/task";
import { type InputShape, squareOf } from "./anchors";
import { centredIn, letterboxGeometry, type LetterboxGeometry } from "./letterbox";

const area = (s: InputShape) => s.width * s.height;

/**
 * Where an image goes in the model's input, by `rect` mode, among the shapes
 * the model runs (src/detect/anchors.ts). Both resize it exactly as the
 * square does (Ultralytics' LetterBox at the square's size); they differ only
 * in how much grey surrounds it.
 *
 * - `off`: centred in the square, what Ultralytics' predictor gives an ONNX
 *   export (its input is fixed).
 * - `on`: centred in the smallest shape that holds it, what Ultralytics'
 *   predictor gives a PyTorch model (`LetterBox(auto=True)`: each side padded
 *   to the next multiple of the largest stride, `(S − new) mod 32`). A model
 *   with a session per shape offers every other multiple, so its images sit
 *   in the next one up.
 *
 * Anything else is the square: a task queued on Redis before a mode was
 * removed keeps its params as written (`tight`, or `true`/`false` from before
 * rect was a word).
 */
export function placeImage(frame: ImageSize, mode: RectMode, shapes: readonly InputShape[]): LetterboxGeometry {
  const square = squareOf(shapes);
  const inSquare = letterboxGeometry(frame.width, frame.height, square.width, square.height);
  if (mode !== "on") return inSquare;
  const fits = shapes.filter((s) => s.width >= inSquare.newW && s.height >= inSquare.newH);
  const shape = fits.reduce((a, b) => (area(b) < area(a) ? b : a), square);
  return centredIn(inSquare, shape.width, shape.height);
}
