import type { Detection } from "../domain/task";

/** Ultralytics' default palette, so annotated images look as users expect. */
const PALETTE = [
  "#FF3838", "#FF9D97", "#FF701F", "#FFB21D", "#CFD231", "#48F90A", "#92CC17", "#3DDB86", "#1A9334", "#00D4BB",
  "#2C99A8", "#00C2FF", "#344593", "#6473FF", "#0018EC", "#8438FF", "#520085", "#CB38FF", "#FF95C8", "#FF37C7",
];

export function colorFor(classId: number): string {
  return PALETTE[classId % PALETTE.length];
}

/** One label: its text, its bar (top-left and size) and the bar's colour. */
export interface LabelPlacement {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  color: string;
}

export interface AnnotationLayout {
  /** the box outlines, the size of the image; labels are drawn over them in order */
  svg: string;
  labels: LabelPlacement[];
  /** text size in pixels */
  fontSize: number;
  /** padding inside a bar */
  pad: number;
}

/**
 * Lays out one box and one `class 0.93` label per detection. Line width
 * follows Ultralytics (0.3 % of the mean side, at least 2 px); labels sit above
 * their box, or inside its top when the box touches the top edge.
 */
export function annotationLayout(detections: readonly Detection[], width: number, height: number): AnnotationLayout {
  const lw = Math.max(Math.round(((width + height) / 2) * 0.003), 2);
  const fontSize = Math.max(lw * 5, 11);
  const pad = Math.ceil(fontSize * 0.25);
  const parts: string[] = [];
  const labels: LabelPlacement[] = [];
  for (const d of detections) {
    const color = colorFor(d.class_id);
    const { x1, y1, x2, y2 } = d.box;
    const text = `${d.class} ${d.confidence.toFixed(2)}`;
    // DejaVu Sans averages about 0.62 em per character.
    const w = Math.ceil(text.length * fontSize * 0.62) + 2 * pad;
    const h = Math.round(fontSize * 1.2) + 2 * pad;
    const y = Math.round(y1 - h >= 0 ? y1 - h : y1);
    const x = Math.round(Math.min(Math.max(0, x1 - lw / 2), Math.max(0, width - w)));
    parts.push(`<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${color}" stroke-width="${lw}"/>`);
    labels.push({ text, x, y, width: w, height: h, color });
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
  return { svg, labels, fontSize, pad };
}
