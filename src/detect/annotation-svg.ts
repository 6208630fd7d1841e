import type { Detection } from "../domain/task";

/** Ultralytics' default palette, so annotated images look as users expect. */
const PALETTE = [
  "#FF3838", "#FF9D97", "#FF701F", "#FFB21D", "#CFD231", "#48F90A", "#92CC17", "#3DDB86", "#1A9334", "#00D4BB",
  "#2C99A8", "#00C2FF", "#344593", "#6473FF", "#0018EC", "#8438FF", "#520085", "#CB38FF", "#FF95C8", "#FF37C7",
];

export const LABEL_FONT = "DejaVu Sans";

export function colorFor(classId: number): string {
  return PALETTE[classId % PALETTE.length];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An SVG overlay the size of the image: one box and one `class 0.93` label per
 * detection. Line width follows Ultralytics (0.3 % of the mean side, at least 2).
 */
export function annotationSvg(detections: readonly Detection[], width: number, height: number): string {
  const lw = Math.max(Math.round(((width + height) / 2) * 0.003), 2);
  const fontSize = Math.max(lw * 5, 11);
  const pad = Math.ceil(fontSize * 0.25);
  const parts: string[] = [];
  for (const d of detections) {
    const color = colorFor(d.class_id);
    const { x1, y1, x2, y2 } = d.box;
    const label = `${d.class} ${d.confidence.toFixed(2)}`;
    // DejaVu Sans averages about 0.62 em per character.
    const labelW = Math.ceil(label.length * fontSize * 0.62) + 2 * pad;
    const labelH = fontSize + 2 * pad;
    // Label above the box, or inside its top when the box touches the top edge.
    const ly = y1 - labelH >= 0 ? y1 - labelH : y1;
    const lx = Math.min(Math.max(0, x1 - lw / 2), Math.max(0, width - labelW));
    parts.push(
      `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${color}" stroke-width="${lw}"/>`,
      `<rect x="${lx}" y="${ly}" width="${labelW}" height="${labelH}" fill="${color}"/>`,
      `<text x="${lx + pad}" y="${ly + pad + fontSize * 0.8}" font-family="${LABEL_FONT}" font-size="${fontSize}" fill="#FFFFFF">${escapeXml(label)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}
