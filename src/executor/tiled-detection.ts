import { MERGE_IOS, mergeDetections } from "../detect/merge-boxes";
import { planTiles, shouldTile } from "../detect/tiles";
import type { Detection, Region } from "../domain/task";
import type { Executor, InferenceJob, JobOutcome } from "./executor";

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
export async function runDetection(executor: Pick<Executor, "run" | "model">, job: InferenceJob, signal?: AbortSignal): Promise<JobOutcome> {
  const model = executor.model;
  const modelSide = model ? Math.max(model.inputWidth, model.inputHeight) : 0;
  const tileSide = job.params.tileSize > 0 ? job.params.tileSize : modelSide;
  if (!model || !shouldTile(job.params.tile, job.size, modelSide, tileSide)) return executor.run(job, signal);

  const { size, regions } = planTiles(job.size, tileSide, job.params.tileOverlap);
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
