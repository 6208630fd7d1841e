/**
 * The closed set of messages between the runner (main thread) and an
 * inference worker, grouped by direction. Every `predict` sent to a worker
 * ends in exactly one `result` or `failure` carrying the same task id.
 */
import type { DetectParams, TaskError, TaskResult } from "../domain/task";
import type { LetterboxGeometry } from "../detect/letterbox";
import type { ModelInfo } from "../model/model-info";

/** What a worker computes for one image; the runner adds the queue time. */
export type WorkerResult = Omit<TaskResult, "timings"> & { timings: Omit<TaskResult["timings"], "queue"> };

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The image for one prediction: the upload's bytes (decoded in the worker),
 * or an input the main thread prepared already (PREPROCESS=main). Buffers
 * are transferred, not copied.
 */
export type PredictInput =
  | { kind: "bytes"; image: ArrayBuffer }
  | { kind: "prepared"; tensor: ArrayBuffer; pixels: ArrayBuffer; width: number; height: number; geometry: LetterboxGeometry; ms: number };

export type ToWorker =
  | { type: "init"; modelPath: string; threads: number; maxPixels: number; timeoutSeconds: number; annotatedMaxSide: number }
  | {
      type: "predict";
      taskId: string;
      input: PredictInput;
      /** upright size, read from the header at upload */
      size: ImageSize;
      params: DetectParams;
    };

export type FromWorker =
  | { type: "ready"; model: ModelInfo; warmupMs: number }
  | { type: "init_failed"; message: string }
  | { type: "result"; taskId: string; result: WorkerResult }
  | { type: "failure"; taskId: string; error: TaskError };
