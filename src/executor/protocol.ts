/**
 * The closed set of messages between the executor (main thread) and an
 * inference worker (a Bun Worker), grouped by direction. Every `predict` sent
 * to a worker ends in exactly one `result` or `failure` carrying the same run id.
 */
import type { DetectParams, Detection, ImageSize, InferenceResult, Region, TaskError } from "../domain/task";
import type { ModelInfo } from "../model/model-info";
import type { ModelFile } from "../model/resolve-model";
import type { Fields } from "../util/logger";

/** Sent once, as the worker starts: what it loads (every model, the default first) and the limits it decodes under. */
export interface InitMessage {
  type: "init";
  models: ModelFile[];
  threads: number;
  maxPixels: number;
  /** a libvips pipeline running longer fails, so a worker never hangs in native code */
  timeoutSeconds: number;
  annotatedMaxSide: number;
}

/** What to run on one image, besides its bytes. */
export interface PredictRequest {
  /** upright size, read from the header at upload */
  size: ImageSize;
  params: DetectParams;
  /** only this part, at the image's own resolution (a tile); detections come back in its coordinates */
  region?: Region;
  /** detections from the tiles, in the image's coordinates: merged with this pass's before annotating */
  merge?: Detection[];
}

/**
 * One image to run. `image` (the upload's bytes) is transferred, not copied;
 * a SharedArrayBuffer (one upload read by all of its tiles) is shared.
 */
export interface PredictMessage extends PredictRequest {
  type: "predict";
  /** `<task id>#<n>`, unique per run: a task run again never takes an earlier run's answer */
  runId: string;
  image: ArrayBuffer | SharedArrayBuffer;
}

export type ToWorker = InitMessage | PredictMessage;

export type FromWorker =
  // Each model as it loaded, in the order of `init`; warmupMs sums their warm-up runs.
  | { type: "ready"; models: ModelInfo[]; warmupMs: number }
  | { type: "init_failed"; message: string }
  | { type: "result"; runId: string; result: InferenceResult }
  | { type: "failure"; runId: string; error: TaskError }
  // At any time, and no answer to anything: a line for the service's log, which
  // the main thread writes (one logger, one format, on stdout).
  | { type: "log"; level: "warn" | "error"; msg: string; fields: Fields };

/** A worker's answer to one `predict`. */
export type WorkerReply = Extract<FromWorker, { type: "result" | "failure" }>;
