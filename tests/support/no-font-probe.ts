/**
 * Run by annotate-image.test.ts in a child process whose FONTCONFIG_FILE lists
 * no fonts: prints how much two different labels differ. Tofu boxes (no font)
 * would print 0; real glyphs from the shipped font print much more.
 */
import sharp from "sharp";
import { annotateImage } from "../../src/pipeline/annotate";
import { decodeUpright } from "../../src/vision/decode";

const grey = new Uint8Array(await sharp({ create: { width: 400, height: 300, channels: 3, background: "#3c3c3c" } }).png().toBuffer());
const box = { x1: 100, y1: 120, x2: 300, y2: 280 };
async function labelPixels(name: string, confidence: number) {
  const img = await decodeUpright(grey, 0, { maxPixels: 1e8, timeoutSeconds: 10 });
  const out = await annotateImage(img, [{ class_id: 16, class: name, confidence, box }], { width: 400, height: 300 });
  return sharp(out).extract({ left: 100, top: 100, width: 60, height: 19 }).raw().toBuffer();
}
const a = await labelPixels("dog", 0.93);
const b = await labelPixels("cat", 0.48);
let diff = 0;
for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
console.log(diff / a.length);
