import type { ImageSize, RectMode } from "../domain/task";
import { chooseShape, type InputShape, squareOf } from "./anchors";
import { letterboxGeometry, type LetterboxGeometry } from "./letterbox";

const area = (s: InputShape) => s.width * s.height;

/**
 * Where an image goes in the model's input, by `rect` mode, among the shapes
 * the model runs (the square first: src/detect/anchors.ts).
 *
 * - `off`: centred in the square, as Ultralytics' LetterBox does.
 * - `on`: where the square puts it, in the smallest shape that still holds the
 *   square's padding before the image: only the grey after it is cut. Every
 *   cell sees what it sees on the square but for the cut rows, so the
 *   detections are the square's. Cutting the padding before the image too
 *   moves it nearer the input's edge, and that alone can change an answer
 *   (dog.jpg's car also reads as a truck 32 px higher in the square).
 * - `tight`: centred in the smallest shape that holds it at the square's
 *   scale, on the square's grid phase (chooseShape): both sides are cut.
 */
export function placeImage(frame: ImageSize, mode: RectMode, shapes: readonly InputShape[]): LetterboxGeometry {
  const square = squareOf(shapes);
  const inSquare = letterboxGeometry(frame.width, frame.height, square.width, square.height);
  if (mode === "tight") {
    const shape = chooseShape(frame, shapes);
    return letterboxGeometry(frame.width, frame.height, shape.width, shape.height);
  }
  // Anything else is the square: `off`, and a task queued before rect was a word (Redis keeps
  // params as written) with its old `true` or `false`.
  if (mode !== "on") return inSquare;
  const needs = { width: inSquare.left + inSquare.newW, height: inSquare.top + inSquare.newH };
  const fits = shapes.filter((s) => s.width >= needs.width && s.height >= needs.height);
  const shape = fits.reduce((a, b) => (area(b) < area(a) ? b : a), square);
  return { ...inSquare, dstW: shape.width, dstH: shape.height };
}
