import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inputShapes, SHAPE_STEP } from "../src/detect/anchors";
import { RECT_MODES, type RectMode } from "../src/domain/task";
import { recogniseHead, reshapeModel } from "../src/model/reshape-model";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { measureLimit } from "./limit";
import { cpuLoad } from "./cpu-load";
import { startServer } from "./server";

const REPO = resolve(import.meta.dir, "..");
/** The landscape shapes bare ONNX Runtime is timed at: the square down to 16:9's 640×384 (smaller ones are rare photos). */
const BARE_SHAPES = 9;

export interface RectReport {
  /** bare ONNX Runtime (2 sessions × 1 thread) at each landscape shape */
  limit: { shape: string; images_per_second: number; cpu_ms_per_image: number }[];
  /** the service on the shared photos, each rect mode in turn, twice */
  service: { rect: RectMode; round: number; images_per_second: number; cpu_ms_per_image: number }[];
  /** rect=off's CPU per image over rect=on's: how much less the default costs */
  cpu_ratio_off_to_on: number;
}

/** `bun run bench --rect`: what Ultralytics' rectangles buy, bare and in the service, in one run. */
export async function runRect(modelPath: string, photos: BenchImage[], limitSeconds: number, requests: number, concurrency: number): Promise<RectReport> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const head = recogniseHead(bytes);
  if ("reason" in head) throw new Error(`the model's head is not one rect can rebuild: ${head.reason}`);
  const dog = photos.find((p) => p.name.startsWith("dog"))!.bytes;
  const limit: RectReport["limit"] = [];
  const bar = progressBar("rect: bare ORT shapes  ");
  const shapes = inputShapes(head.square.width, SHAPE_STEP.freeSession)
    .filter((s) => s.width >= s.height)
    .slice(0, BARE_SHAPES);
  for (const [i, shape] of shapes.entries()) {
    const file = join(tmpdir(), `rect-${shape.width}x${shape.height}-${process.pid}.onnx`);
    await Bun.write(file, reshapeModel(bytes, head, shape));
    const r = await measureLimit(file, dog, 2, 1, limitSeconds).finally(() => rmSync(file, { force: true }));
    limit.push({ shape: `${shape.width}x${shape.height}`, images_per_second: round(r.imagesPerSecond, 2), cpu_ms_per_image: round(r.cpuMsPerImage) });
    bar.update((i + 1) / shapes.length, `${shape.width}x${shape.height}`);
  }
  bar.done();
  const server = await startServer(REPO, {});
  const service: RectReport["service"] = [];
  try {
    for (const round_ of [1, 2]) {
      for (const rect of RECT_MODES) {
        const { images_per_second, cpu_ms_per_image } = await cpuLoad(server, { label: `rect: service rect=${rect} `, images: photos, requests, concurrency, fields: { rect } });
        service.push({ rect, round: round_, images_per_second, cpu_ms_per_image });
      }
    }
  } finally {
    await server.stop();
  }
  const cpu = (rect: RectMode) => service.filter((s) => s.rect === rect).reduce((n, s) => n + s.cpu_ms_per_image, 0);
  return { limit, service, cpu_ratio_off_to_on: round(cpu("off") / cpu("on"), 2) };
}
