import sharp, { type OverlayOptions } from "sharp";
import type { Box } from "../../src/domain/task";
import { readImage } from "./paths";
import { DOG_REFERENCE } from "./reference";

/** One object pasted on the canvas: its class and where it is, in canvas pixels. */
export interface Placed {
  cls: "dog" | "car";
  box: Box;
}

const W = 4000;
const H = 3000;
/** Where each copy goes (top-left) and how large, as a fraction of its size in dog.jpg. Some straddle tile borders (every 512 px). */
const LAYOUT: { cls: "dog" | "car"; x: number; y: number; scale: number }[] = [
  { cls: "dog", x: 150, y: 200, scale: 0.5 },
  { cls: "dog", x: 980, y: 420, scale: 0.6 }, // across x = 1024
  { cls: "dog", x: 2100, y: 260, scale: 0.5 },
  { cls: "dog", x: 3300, y: 900, scale: 0.55 },
  { cls: "dog", x: 480, y: 1500, scale: 0.6 }, // across x = 512
  { cls: "dog", x: 1700, y: 1900, scale: 0.5 },
  { cls: "dog", x: 2600, y: 1450, scale: 0.6 }, // across y = 1536
  { cls: "dog", x: 3500, y: 2500, scale: 0.5 },
  { cls: "car", x: 600, y: 2600, scale: 0.6 },
  { cls: "car", x: 1480, y: 1000, scale: 0.6 }, // across x = 1536
  { cls: "car", x: 2900, y: 2030, scale: 0.6 }, // across y = 2048
  { cls: "car", x: 3200, y: 150, scale: 0.6 },
];

/**
 * A 4000×3000 JPEG with a dozen small copies of dog.jpg's dog and car (cut
 * at the boxes Ultralytics' reference gives, rounded to pixels) on a plain background, and where each
 * copy is: the truth the tiled detection is checked against.
 */
export async function tiledCanvas(): Promise<{ jpeg: Uint8Array; truth: Placed[] }> {
  const photo = await readImage("dog.jpg");
  const ref = DOG_REFERENCE["yolov8n.onnx"];
  const truth: Placed[] = [];
  const layers: OverlayOptions[] = [];
  for (const item of LAYOUT) {
    const [x1, y1, x2, y2] = ref[item.cls].map(Math.round);
    const width = Math.round((x2 - x1) * item.scale);
    const height = Math.round((y2 - y1) * item.scale);
    const crop = await sharp(photo).extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 }).resize(width, height).toBuffer();
    layers.push({ input: crop, left: item.x, top: item.y });
    truth.push({ cls: item.cls, box: { x1: item.x, y1: item.y, x2: item.x + width, y2: item.y + height } });
  }
  const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 178, g: 172, b: 160 } } })
    .composite(layers)
    .jpeg({ quality: 90 })
    .toBuffer();
  return { jpeg: new Uint8Array(jpeg), truth };
}
