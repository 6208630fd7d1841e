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
 * `tight` centres the image, so it keeps the square's grid phase only on
 * shapes whose sides differ from the square's by a multiple of twice the
 * largest stride: the image then sits at the same offset modulo that stride
 * as in the square, and every cell of the coarsest grid sees the same pixels.
 * A half-cell shift (640×480 for a 4:3 photo, whose square offset is 80)
 * changed dog.jpg's car from 0.65 to 0.54; on the same grid phase (640×512)
 * it is 0.63 (docs/BENCHMARKS.md).
 */
export const GRID_PHASE_STEP = 2 * COARSEST_STRIDE;

/**
 * How far apart the shapes' short sides are. One session with free input
 * dimensions runs any shape for the same memory, so it offers every multiple
 * of the largest stride (`on` keeps the image in place and needs no grid
 * phase). A session per shape costs a session's memory for each shape a worker
 * runs, so those models offer only the grid-phase shapes.
 */
export const SHAPE_STEP = { freeSession: COARSEST_STRIDE, sessionPerShape: GRID_PHASE_STEP } as const;

/** Rectangles go down to this fraction of the square: 3:2 photos land on 448 of 640 with `tight`, 16:9 frames on 384. */
const RECT_MIN_FRACTION = 0.6;

/** The square and the rectangles derived from it, landscape and portrait, short sides `step` apart. */
export function inputShapes(square: number, step: number): InputShape[] {
  const shapes: InputShape[] = [{ width: square, height: square }];
  for (let short = square - step; short >= square * RECT_MIN_FRACTION; short -= step) {
    shapes.push({ width: square, height: short }, { width: short, height: square });
  }
  return shapes;
}

/** The square of a model's shapes: the largest. */
export function squareOf(shapes: readonly InputShape[]): InputShape {
  return shapes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
}

/**
 * The smallest shape on the square's grid phase (GRID_PHASE_STEP) that holds
 * the image at the square's scale: the image is resized exactly as for the
 * square input, only the padding shrinks.
 */
export function chooseShape(image: InputShape, shapes: readonly InputShape[]): InputShape {
  const square = squareOf(shapes);
  const onPhase = (s: InputShape) => (square.width - s.width) % GRID_PHASE_STEP === 0 && (square.height - s.height) % GRID_PHASE_STEP === 0;
  const scale = Math.min(square.width / image.width, square.height / image.height);
  // Unrounded: a shape that held only the rounded size would letterbox at a smaller scale.
  const w = image.width * scale;
  const h = image.height * scale;
  const fits = shapes.filter((s) => onPhase(s) && s.width >= w - 1e-9 && s.height >= h - 1e-9);
  return fits.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a), square);
}
