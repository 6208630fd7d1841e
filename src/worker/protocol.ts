/**
 * The closed set of messages between the runner (main thread) and an
 * inference worker, grouped by direction. Every `predict` sent to a worker
 * ends in exactly one `result` or `failure` carrying the same task id.
 */
import type { DetectParams, TaskError, TaskResult } from "../domain/task";
import type { ModelInfo } from "../model/model-info";

export type ToWorker =
  | { type: "init"; modelPath: string; threads: number; maxPixels: number }
  | {
      type: "predict";
      taskId: string;
      /** transferred, not copied: the main thread no longer holds it */
      image: ArrayBuffer;
      params: DetectParams;
    };

export type FromWorker =
  | { type: "ready"; model: ModelInfo; warmupMs: number }
  | { type: "init_failed"; message: string }
  | { type: "result"; taskId: string; result: Omit<TaskResult, "timings"> & { timings: Omit<TaskResult["timings"], "queue"> } }
  | { type: "failure"; taskId: string; error: TaskError };
