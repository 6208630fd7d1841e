/**
 * The constants an Ultralytics detection head bakes into an export for one
 * input size: anchor points (grid cell centres, in cells of each level) and
 * the stride of each anchor, level by level (stride 8, then 16, then 32), row
 * by row. Rebuilt here for another input size, they must equal the export's
 * own at its size (checked when a model is loaded).
 */
export const HEAD_STRIDES = [8, 16, 32] as const;

export interface InputShape {
  width: number;
  height: number;
}

/** How many anchors a head has for an input: one per cell of each level's grid. */
export function anchorCount({ width, height }: InputShape, strides: readonly number[] = HEAD_STRIDES): number {
  return strides.reduce((n, s) => n + (width / s) * (height / s), 0);
}

/** Anchor points as the export stores them: [1, 2, N], all x values, then all y values. */
export function anchorPoints(shape: InputShape, strides: readonly number[] = HEAD_STRIDES): Float32Array {
  const n = anchorCount(shape, strides);
  const out = new Float32Array(2 * n);
  let i = 0;
  for (const s of strides) {
    const w = shape.width / s;
    const h = shape.height / s;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i++) {
        out[i] = x + 0.5;
        out[n + i] = y + 0.5;
      }
    }
  }
  return out;
}

/** The stride of each anchor: [1, N]. */
export function anchorStrides(shape: InputShape, strides: readonly number[] = HEAD_STRIDES): Float32Array {
  const out = new Float32Array(anchorCount(shape, strides));
  let i = 0;
  for (const s of strides) out.fill(s, i, (i += (shape.width / s) * (shape.height / s)));
  return out;
}

/** The largest stride: every side of every shape is a multiple of it. */
export const COARSEST_STRIDE = Math.max(...HEAD_STRIDES);

/**
 * How far apart the shapes' short sides are. One session with free input
 * dimensions runs any shape for the same memory, so it offers every multiple
 * of the largest stride: Ultralytics' own rectangles (LetterBox(auto=True)
 * pads each side to the next multiple of it). A session per shape costs a
 * session's memory for each shape a worker runs, so those models offer every
 * other one, and an image sits centred in the next shape up.
 */
export const SHAPE_STEP = { freeSession: COARSEST_STRIDE, sessionPerShape: 2 * COARSEST_STRIDE } as const;

/** The square and the rectangles derived from it, landscape and portrait, short sides `step` apart down to `step`. */
export function inputShapes(square: number, step: number): InputShape[] {
  const shapes: InputShape[] = [{ width: square, height: square }];
  for (let short = square - step; short >= step; short -= step) {
    shapes.push({ width: square, height: short }, { width: short, height: square });
  }
  return shapes;
}

/** The square of a model's shapes: the largest. */
export function squareOf(shapes: readonly InputShape[]): InputShape {
  return shapes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
}

/**
 * A model's shapes for another square (`imgsz`): the square of `side` and its
 * rectangles, their short sides as far apart as the model's own are (a model
 * with no rectangles gets none). `rect` then picks among them exactly as it
 * does among the model's own.
 */
export function shapesForSquare(shapes: readonly InputShape[], side: number): InputShape[] {
  const square = squareOf(shapes);
  if (side === square.width && side === square.height) return [...shapes];
  const next = shapes.find((s) => s.width === square.width && s.height < square.height);
  return next ? inputShapes(side, square.height - next.height) : [{ width: side, height: side }];
}
