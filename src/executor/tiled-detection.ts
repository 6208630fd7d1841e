import { MERGE_IOS, mergeDetections } from "../detect/merge-boxes";
import { planTiles, shouldTile } from "../detect/tiles";
import type { DetectParams, Detection, ImageSize, Region } from "../domain/task";
import { type ModelInfo, ownSide, sideFor } from "../model/model-info";
import { modelFor } from "../model/catalogue";
import type { Executor, InferenceJob, JobOutcome } from "./executor";

/** The tiles a task's image is cut into (their side and places), or undefined when it runs whole: its `tile` knob, its size, the model's input. */
export function tilesOf(size: ImageSize, params: DetectParams, models: readonly ModelInfo[] | undefined): { size: number; regions: Region[] } | undefined {
  const model = modelFor(models, params.model);
  if (!model) return undefined;
  // The input side this task runs at (imgsz, else the model's own): tile_size 0 and tile=auto's threshold follow it.
  const modelSide = sideFor(model, params.imgsz);
  const tileSide = params.tileSize > 0 ? params.tileSize : modelSide;
  return shouldTile(params.tile, size, modelSide, tileSide) ? planTiles(size, tileSide, params.tileOverlap) : undefined;
}

/** What one run of the task costs against one at its model's own size: the input's area ratio (imgsz). Its ETA scales its own runs by it. */
export function inputScaleOf(task: { params: DetectParams }, models: readonly ModelInfo[] | undefined): number {
  const model = modelFor(models, task.params.model);
  return model ? (sideFor(model, task.params.imgsz) / ownSide(model)) ** 2 : 1;
}

/** How many model runs a task takes: its tiles and the whole image, or one. What its ETA prices. */
export function runsOf(task: { size: ImageSize; params: DetectParams }, models: readonly ModelInfo[] | undefined): number {
  const tiles = tilesOf(task.size, task.params, models);
  return tiles ? tiles.regions.length + 1 : 1;
}

/** A tile's detections, moved from its own coordinates into the image's. */
function placed(detections: readonly Detection[], region: Region): Detection[] {
  return detections.map((d) => ({
    ...d,
    box: { x1: d.box.x1 + region.x, y1: d.box.y1 + region.y, x2: d.box.x2 + region.x, y2: d.box.y2 + region.y },
  }));
}

/**
 * Runs one task's image: as one job, or, when its `tile` knob says so, as
 * overlapping tiles at the image's own resolution run in parallel on the free
 * workers, then the whole image, which merges the tiles' boxes with its own
 * and draws them. The task stays one unit for its backend: one call, one
 * outcome. Its upload is copied once into shared memory that every tile's
 * worker reads, and each worker decodes only its tile. A cancel, or a tile
 * that fails or times out, stops the tiles not yet started.
 */
export async function runDetection(executor: Pick<Executor, "run" | "models">, job: InferenceJob, signal?: AbortSignal): Promise<JobOutcome> {
  const plan = tilesOf(job.size, job.params, executor.models);
  if (!plan) return executor.run(job, signal);
  const { size, regions } = plan;

  const shared = new Uint8Array(new SharedArrayBuffer(job.image.byteLength));
  shared.set(job.image);
  const stopTiles = new AbortController();
  const onAbort = () => stopTiles.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const t0 = performance.now();
  try {
    const outcomes = await Promise.all(
      regions.map(async (region) => {
        const outcome = await executor.run({ ...job, image: shared, region, merge: undefined }, stopTiles.signal);
        if (outcome.status !== "completed") stopTiles.abort();
        return outcome;
      }),
    );
    if (signal?.aborted) return { status: "canceled" };
    const failed = outcomes.find((o) => o.status === "failed");
    if (failed) return failed;
    const fromTiles = outcomes.flatMap((o, i) => (o.status === "completed" ? placed(o.result.detections, regions[i]) : []));
    const tilesMs = performance.now() - t0;
    // Tiles overlap: merge their boxes among themselves first, so the whole pass gets one box per object.
    const whole = await executor.run({ ...job, image: shared, merge: mergeDetections(fromTiles, MERGE_IOS) }, signal);
    if (whole.status !== "completed") return whole;
    const { timings } = whole.result;
    return {
      ...whole,
      result: {
        ...whole.result,
        tiles: { count: regions.length, size, overlap: job.params.tileOverlap },
        timings: { ...timings, tiles: Math.round(tilesMs * 100) / 100, total: Math.round((timings.total + tilesMs) * 100) / 100 },
      },
    };
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
