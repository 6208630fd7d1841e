/**
 * The closed set of messages between the runner (main thread) and an
 * inference worker, grouped by direction. Every `predict` sent to a worker
 * ends in exactly one `result` or `failure` carrying the same task id.
 */
import type { DetectParams, TaskError, TaskResult } from "../domain/task";
import type { ModelInfo } from "../model/model-info";

/** What a worker computes for one image; the runner adds the queue time. */
export type WorkerResult = Omit<TaskResult, "timings"> & { timings: Omit<TaskResult["timings"], "queue"> };

export interface ImageSize {
  width: number;
  height: number;
}

export type ToWorker =
  | { type: "init"; modelPath: string; threads: number; maxPixels: number; timeoutSeconds: number }
  | {
      type: "predict";
      taskId: string;
      /** transferred, not copied: the main thread no longer holds it */
      image: ArrayBuffer;
      /** upright size, read from the header at upload */
      size: ImageSize;
      params: DetectParams;
    };

export type FromWorker =
  | { type: "ready"; model: ModelInfo; warmupMs: number }
  | { type: "init_failed"; message: string }
  | { type: "result"; taskId: string; result: WorkerResult }
  | { type: "failure"; taskId: string; error: TaskError };
