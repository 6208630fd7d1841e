import type { Detection } from "../domain/task";

/** Ultralytics' default palette, so annotated images look as users expect; the demo page draws its boxes with it too (/palette.js). */
export const PALETTE = [
  "#FF3838", "#FF9D97", "#FF701F", "#FFB21D", "#CFD231", "#48F90A", "#92CC17", "#3DDB86", "#1A9334", "#00D4BB",
  "#2C99A8", "#00C2FF", "#344593", "#6473FF", "#0018EC", "#8438FF", "#520085", "#CB38FF", "#FF95C8", "#FF37C7",
];

export function colorFor(classId: number): string {
  return PALETTE[classId % PALETTE.length];
}

/** A solid rectangle in image pixels: a box edge or a label bar. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
  color: string;
}

/** One label: its text and its bar. */
export interface LabelPlacement extends Rect {
  text: string;
}

export interface AnnotationLayout {
  /** four edges per box, drawn first */
  edges: Rect[];
  /** drawn over the edges, in detection order: a later label covers an earlier one */
  labels: LabelPlacement[];
  /** text size in pixels */
  fontSize: number;
  /** padding inside a bar */
  pad: number;
}

/** Clips a rectangle to the image; undefined when nothing of it is inside. */
function clip(r: Rect, width: number, height: number): Rect | undefined {
  const left = Math.max(0, Math.round(r.left));
  const top = Math.max(0, Math.round(r.top));
  const right = Math.min(width, Math.round(r.left + r.width));
  const bottom = Math.min(height, Math.round(r.top + r.height));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top, color: r.color } : undefined;
}

/**
 * Lays out boxes and `class 0.93` labels on an image of width × height, with
 * detections given in pixels of an image `scale` times larger (the original,
 * when the annotated copy is shrunk). Line width follows Ultralytics (0.3 % of
 * the mean side, at least 2 px); labels sit above their box, or inside its top
 * when the box touches the top edge. Boxes are solid rectangles rather than an
 * SVG: rasterising an image-sized SVG cost more than the rest of annotation.
 */
export function annotationLayout(detections: readonly Detection[], width: number, height: number, scale = 1): AnnotationLayout {
  const lw = Math.max(Math.round(((width + height) / 2) * 0.003), 2);
  const fontSize = Math.max(lw * 5, 11);
  const pad = Math.ceil(fontSize * 0.25);
  const edges: Rect[] = [];
  const labels: LabelPlacement[] = [];
  const keep = (r: Rect) => {
    const c = clip(r, width, height);
    if (c) edges.push(c);
  };
  for (const d of detections) {
    const color = colorFor(d.class_id);
    const [x1, y1, x2, y2] = [d.box.x1 / scale, d.box.y1 / scale, d.box.x2 / scale, d.box.y2 / scale];
    const half = lw / 2;
    keep({ left: x1 - half, top: y1 - half, width: x2 - x1 + lw, height: lw, color }); // top
    keep({ left: x1 - half, top: y2 - half, width: x2 - x1 + lw, height: lw, color }); // bottom
    keep({ left: x1 - half, top: y1 - half, width: lw, height: y2 - y1 + lw, color }); // left
    keep({ left: x2 - half, top: y1 - half, width: lw, height: y2 - y1 + lw, color }); // right
    const text = `${d.class} ${d.confidence.toFixed(2)}`;
    // DejaVu Sans averages about 0.62 em per character.
    const w = Math.ceil(text.length * fontSize * 0.62) + 2 * pad;
    const h = Math.round(fontSize * 1.2) + 2 * pad;
    const top = Math.round(y1 - h >= 0 ? y1 - h : y1);
    const left = Math.round(Math.min(Math.max(0, x1 - half), Math.max(0, width - w)));
    labels.push({ text, left, top, width: w, height: h, color });
  }
  return { edges, labels, fontSize, pad };
}
