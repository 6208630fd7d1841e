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
import { PLACEMENT_STEP, type PlacementRow, runPlacement } from "./placement";
import { openSweepModel } from "./sweep-model";
import { CROP_ASPECTS, runTrailingGrey, type TrailingGreyRow } from "./trailing-grey";
import { cpuLoad } from "./cpu-load";
import { startServer } from "./server";

const REPO = resolve(import.meta.dir, "..");

export interface RectReport {
  /** bare ONNX Runtime (2 sessions × 1 thread) at each landscape shape */
  limit: { shape: string; images_per_second: number; cpu_ms_per_image: number }[];
  /** the service on the 3:2 photos, each rect mode in turn, twice */
  service: { rect: RectMode; round: number; images_per_second: number; cpu_ms_per_image: number }[];
  /** images per second of each mode over rect=off's */
  speedup: Record<Exclude<RectMode, "off">, number>;
  /** each shared photo slid through the square: where its classes differ from the centred photo's (bench/placement.ts) */
  placement: PlacementRow[];
  /** crops in many aspect ratios, each in every free-shape height that holds it with `on`'s placement: the proof against the square, by grey rows left after the image (bench/trailing-grey.ts) */
  trailing_grey: TrailingGreyRow[];
}

/** `bun run bench --rect`: what rectangular inputs buy, bare and in the service, in one run. */
export async function runRect(modelPath: string, photos: BenchImage[], limitSeconds: number, requests: number, concurrency: number, quick = false): Promise<RectReport> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const head = recogniseHead(bytes);
  if ("reason" in head) throw new Error(`the model's head is not one rect can rebuild: ${head.reason}`);
  const dog = photos.find((p) => p.name.startsWith("dog"))!.bytes;
  const limit: RectReport["limit"] = [];
  const bar = progressBar("rect: bare ORT shapes  ");
  const shapes = inputShapes(head.square.width, SHAPE_STEP.freeSession).filter((s) => s.width >= s.height);
  for (const [i, shape] of shapes.entries()) {
    const file = join(tmpdir(), `rect-${shape.width}x${shape.height}-${process.pid}.onnx`);
    await Bun.write(file, reshapeModel(bytes, head, shape));
    const r = await measureLimit(file, dog, 2, 1, limitSeconds).finally(() => rmSync(file, { force: true }));
    limit.push({ shape: `${shape.width}x${shape.height}`, images_per_second: round(r.imagesPerSecond, 2), cpu_ms_per_image: round(r.cpuMsPerImage) });
    bar.update((i + 1) / shapes.length, `${shape.width}x${shape.height}`);
  }
  bar.done();
  const sweeps = await openSweepModel(modelPath);
  const placement = await runPlacement(sweeps, photos, quick ? PLACEMENT_STEP.quick : PLACEMENT_STEP.full);
  const trailing_grey = await runTrailingGrey(sweeps, photos, quick ? CROP_ASPECTS.quick : CROP_ASPECTS.full);
  await sweeps.release();
  // 3:2 photos (eagle, horses, kite, person): on 640×576 with rect=on, 640×448 with tight.
  const threeTwo = photos.filter((p) => Math.abs(p.width / p.height - 1.5) < 0.06);
  const server = await startServer(REPO, {});
  const service: RectReport["service"] = [];
  try {
    for (const round_ of [1, 2]) {
      for (const rect of RECT_MODES) {
        const { images_per_second, cpu_ms_per_image } = await cpuLoad(server, { label: `rect: service rect=${rect} `, images: threeTwo, requests, concurrency, fields: { rect } });
        service.push({ rect, round: round_, images_per_second, cpu_ms_per_image });
      }
    }
  } finally {
    await server.stop();
  }
  const mean = (rect: RectMode) => service.filter((s) => s.rect === rect).reduce((n, s) => n + s.images_per_second, 0) / 2;
  return { limit, service, placement, trailing_grey, speedup: { on: round(mean("on") / mean("off"), 2), tight: round(mean("tight") / mean("off"), 2) } };
}
