import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { placeImage } from "../src/detect/placement";
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { recogniseHead, reshapeModel } from "../src/model/reshape-model";
import { loadDetector } from "../src/pipeline/load-detector";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { measureLimit } from "./limit";

export interface ShapeLimit {
  shape: string;
  /** the shared photos the default places in this shape */
  photos: string[];
  images_per_second: number;
  cpu_ms_per_image: number;
}

export interface ShapeLimits {
  rect: string;
  shapes: ShapeLimit[];
  /** bare ONNX Runtime's CPU per image over the shared photos, each photo once, each at its default shape */
  cpu_ms_per_image: number;
}

/**
 * Bare ONNX Runtime (2 sessions × 1 thread, as the 640×640 limit's best
 * layout) at the shapes the service's default runs the shared photos in.
 * Each photo's shape comes from the service's own rule, placeImage with
 * DEFAULT_PARAMS.rect among the shapes the workers' detector offers, so the
 * figure follows the default whatever it becomes. Each shape runs a model
 * rebuilt for it (reshapeModel, as bench --rect does), with a photo of that
 * shape letterboxed into it.
 */
export async function measureShapeLimits(modelPath: string, photos: BenchImage[], seconds: number): Promise<ShapeLimits> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const detector = await loadDetector(modelPath, 1, { maxPixels: 1e9, timeoutSeconds: 60 }, 0, () => {});
  const offered = detector.info.inputShapes;
  await detector.release();
  const byShape = new Map<string, BenchImage[]>();
  for (const p of photos) {
    const g = placeImage({ width: p.width, height: p.height }, DEFAULT_PARAMS.rect, offered);
    const key = `${g.dstW}x${g.dstH}`;
    byShape.set(key, [...(byShape.get(key) ?? []), p]);
  }
  const head = recogniseHead(bytes);
  const bar = progressBar("bare ORT, default shapes");
  const shapes: ShapeLimit[] = [];
  for (const [i, [key, those]] of [...byShape].entries()) {
    const [width, height] = key.split("x").map(Number);
    const square = !("reason" in head) && head.square.width === width && head.square.height === height;
    if (!square && "reason" in head) throw new Error(`the default places photos at ${key}, which this model's head cannot be rebuilt for: ${head.reason}`);
    const file = join(tmpdir(), `perf-${key}-${process.pid}.onnx`);
    if (!square && !("reason" in head)) await Bun.write(file, reshapeModel(bytes, head, { width, height }));
    const r = await measureLimit(square ? modelPath : file, those[0].bytes, 2, 1, seconds).finally(() => rmSync(file, { force: true }));
    shapes.push({ shape: key, photos: those.map((p) => p.name.split("@")[0]), images_per_second: round(r.imagesPerSecond, 2), cpu_ms_per_image: round(r.cpuMsPerImage) });
    bar.update((i + 1) / byShape.size, key);
  }
  bar.done();
  const total = shapes.reduce((n, s) => n + s.cpu_ms_per_image * s.photos.length, 0);
  return { rect: DEFAULT_PARAMS.rect, shapes, cpu_ms_per_image: round(total / photos.length) };
}
