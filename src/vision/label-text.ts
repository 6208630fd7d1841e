import sharp from "sharp";

/**
 * The label font ships with the service (the dejavu-fonts-ttf package) and is
 * handed to Pango as a file, so labels have real glyphs on any machine, even
 * one with no fonts installed (fontconfig would draw empty boxes there).
 */
export const LABEL_FONT_FILE = Bun.resolveSync("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", import.meta.dir);

function escapeMarkup(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Every label's text, white on transparent, one per line, as straight-alpha RGBA. */
export interface TextLines {
  rgba: Uint8Array;
  width: number;
  /** height of one line; line i starts at row i × lineHeight */
  lineHeight: number;
}

/** Renders all the labels of an image in one Pango call, one per line. */
export async function renderTextLines(texts: readonly string[], fontSize: number): Promise<TextLines | undefined> {
  if (texts.length === 0) return undefined;
  const markup = `<span foreground="white">${texts.map(escapeMarkup).join("\n")}</span>`;
  const { data, info } = await sharp({
    text: { text: markup, font: `DejaVu Sans ${fontSize}`, fontfile: LABEL_FONT_FILE, dpi: 72, rgba: true, spacing: 0 },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, lineHeight: Math.floor(info.height / texts.length) };
}
