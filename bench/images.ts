import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

export interface BenchImage {
  name: string;
  bytes: Uint8Array;
  width: number;
  height: number;
  /** form fields sent with this image's uploads, over the run's own (a mixed load: each its model) */
  fields?: Record<string, string>;
}

/**
 * The shared photos as they are, plus each upscaled to 1080p and to 12 MP
 * (4000×3000), as phones upload them. Generated once into a cache folder.
 */
export async function benchImages(imagesDir: string, cacheDir: string, sizes: ("original" | "1080p" | "12mp")[]): Promise<BenchImage[]> {
  mkdirSync(cacheDir, { recursive: true });
  const originals = readdirSync(imagesDir).filter((f) => f.endsWith(".jpg")).sort();
  const out: BenchImage[] = [];
  for (const file of originals) {
    const src = join(imagesDir, file);
    for (const size of sizes) {
      const target = size === "original" ? src : join(cacheDir, `${file.replace(/\.jpg$/, "")}-${size}.jpg`);
      if (size !== "original" && !(await Bun.file(target).exists())) {
        const [w, h] = size === "1080p" ? [1920, 1080] : [4000, 3000];
        await sharp(src).resize(w, h, { fit: "fill" }).jpeg({ quality: 90 }).toFile(target);
      }
      const bytes = new Uint8Array(await Bun.file(target).arrayBuffer());
      const meta = await sharp(bytes).metadata();
      out.push({ name: `${file}@${size}`, bytes, width: meta.width!, height: meta.height! });
    }
  }
  return out;
}
