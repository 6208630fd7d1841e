import sharp, { type OverlayOptions } from "sharp";
import type { LabelPlacement } from "../detect/annotation-layout";

/**
 * The label font ships with the service (the dejavu-fonts-ttf package) and is
 * handed to Pango as a file, so labels have real glyphs on any machine, even
 * one with no fonts installed (fontconfig would draw empty boxes there).
 */
export const LABEL_FONT_FILE = Bun.resolveSync("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", import.meta.dir);

function escapeMarkup(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders every label's text in one Pango call, one per line, then slices the
 * lines into composite layers, each after its own bar: a later label covers
 * an earlier one whole, and there is one text render per image, not per label.
 */
export async function labelLayers(labels: readonly LabelPlacement[], fontSize: number, pad: number, imageW: number, imageH: number): Promise<OverlayOptions[]> {
  if (labels.length === 0) return [];
  const markup = `<span foreground="white">${labels.map((l) => escapeMarkup(l.text)).join("\n")}</span>`;
  const { data, info } = await sharp({
    text: { text: markup, font: `DejaVu Sans ${fontSize}`, fontfile: LABEL_FONT_FILE, dpi: 72, rgba: true, spacing: 0 },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const lineH = Math.floor(info.height / labels.length);
  const stride = info.width * 4;
  const layers: OverlayOptions[] = [];
  labels.forEach((label, i) => {
    const left = label.x + pad;
    const top = label.y + Math.max(0, Math.floor((label.height - lineH) / 2));
    const width = Math.min(info.width, imageW - left);
    const height = Math.min(lineH, imageH - top);
    const barW = Math.min(label.width, imageW - label.x);
    const barH = Math.min(label.height, imageH - label.y);
    if (barW > 0 && barH > 0) {
      layers.push({ input: { create: { width: barW, height: barH, channels: 4, background: label.color } }, left: label.x, top: label.y });
    }
    if (width <= 0 || height <= 0) return;
    const rows = Buffer.alloc(width * height * 4);
    for (let r = 0; r < height; r++) data.copy(rows, r * width * 4, (i * lineH + r) * stride, (i * lineH + r) * stride + width * 4);
    layers.push({ input: rows, raw: { width, height, channels: 4 }, left, top });
  });
  return layers;
}
