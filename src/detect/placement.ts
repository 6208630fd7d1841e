import type { ImageSize, RectMode } from "../domain/task";
import { chooseShape, COARSEST_STRIDE, type InputShape, squareOf } from "./anchors";
import { letterboxGeometry, type LetterboxGeometry } from "./letterbox";

const area = (s: InputShape) => s.width * s.height;

/**
 * Grey that `on` keeps after the image: one cell of the coarsest grid. The
 * model pads its own input's edge with zeros, and cells next to that edge see
 * it: with the image within a few pixels of the edge, answers moved (kite.jpg
 * cropped to 5:2: a kite's confidence by 0.48; 7–8 % of crops failed the rect
 * proof below 16 rows of grey), and with one cell of grey 2 of 126 did, with
 * 0.05 at worst (docs/BENCHMARKS.md, "How much grey after the image").
 */
export const ON_TRAILING_GREY = COARSEST_STRIDE;

/** Where `on` needs the input to end along one axis: the image's end plus the grey after it, at most the square's side. */
const onEnd = (lead: number, size: number, full: number) => Math.min(full, lead + size + ON_TRAILING_GREY);

/**
 * Where an image goes in the model's input, by `rect` mode, among the shapes
 * the model runs (the square first: src/detect/anchors.ts).
 *
 * - `off`: centred in the square, as Ultralytics' LetterBox does.
 * - `on`: where the square puts it, in the smallest shape that still holds the
 *   square's padding before the image and ON_TRAILING_GREY after it: only the
 *   rest of the grey after it is cut. Cutting the padding before the image
 *   too moves it nearer the input's edge, and that alone can change an answer
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
  const needs = { width: onEnd(inSquare.left, inSquare.newW, square.width), height: onEnd(inSquare.top, inSquare.newH, square.height) };
  const fits = shapes.filter((s) => s.width >= needs.width && s.height >= needs.height);
  const shape = fits.reduce((a, b) => (area(b) < area(a) ? b : a), square);
  return { ...inSquare, dstW: shape.width, dstH: shape.height };
}
