import { expect, test } from "bun:test";
import sharp from "sharp";
import type { Detection } from "../../src/domain/task";
import { annotateImage } from "../../src/vision/annotate-image";

const W = 400;
const H = 300;
const grey = async () => new Uint8Array(await sharp({ create: { width: W, height: H, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toBuffer());
const det: Detection = { class_id: 16, class: "dog", confidence: 0.93, box: { x1: 100, y1: 120, x2: 300, y2: 280 } };

async function pixels(jpeg: Uint8Array, left: number, top: number, width: number, height: number) {
  return sharp(jpeg).extract({ left, top, width, height }).raw().toBuffer();
}

test("draws the box outline and a label with real glyphs (a font is installed)", async () => {
  const out = await annotateImage(await grey(), [det], { width: W, height: H }, { maxPixels: 1e8, timeoutSeconds: 10 });
  const meta = await sharp(out).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", W, H]);

  // The label sits above the box: a bar in the class colour (#520085 for id 16,
  // no green at all) with white text on it. Glyph pixels are the only green ones.
  const label = await pixels(out, 102, 105, 40, 12);
  let glyph = 0;
  for (let i = 0; i < label.length; i += 3) if (label[i + 1] > 120) glyph++;
  // With no font, librsvg draws the bar but no glyphs: no green at all.
  expect(glyph).toBeGreaterThan(20);

  // Inside the box, away from the edges, the image is untouched.
  const inside = await pixels(out, 180, 180, 20, 20);
  expect(Math.max(...inside) - Math.min(...inside)).toBeLessThan(12);
  // The left edge carries the class colour #520085: blue over red, no green.
  const [r, g, b] = await pixels(out, 100, 200, 1, 1);
  expect(b).toBeGreaterThan(r);
  expect(g).toBeLessThan(50);
});

test("a file that cannot be decoded fails with decode_failed", async () => {
  const broken = (await grey()).subarray(0, 100);
  await expect(annotateImage(broken, [det], { width: W, height: H }, { maxPixels: 1e8, timeoutSeconds: 10 })).rejects.toMatchObject({ code: "decode_failed" });
});
