import type { Logger } from "../util/logger";
import type { Task, TaskStatus } from "./task";

/** What a transition line may add beyond the task itself. */
export interface TransitionContext {
  /** where it happened: "embedded", or "redis" on an API replica */
  backend?: string;
  /** the Bun Worker that ran it (`w<slot>.<generation>`) */
  worker?: string;
  /** the inference process that ran it, on Redis (`host:pid:id`) */
  instance?: string;
  /** queue length right after a task was queued */
  queueDepth?: number;
  /** 2 or more when another inference process took the task over */
  attempt?: number;
  detail?: string;
}

/**
 * The one line per task transition, for both backends: `{"msg":"task",
 * "task_id", "status", …}` with the client when known, the timings and
 * detection count on completion, the error code on failure and the reason on
 * cancel.
 */
export function logTransition(
  log: Logger,
  task: Pick<Task, "id" | "result" | "error" | "cancelReason"> & { status: TaskStatus; client?: string },
  context: TransitionContext = {},
) {
  log.info("task", {
    task_id: task.id,
    status: task.status,
    ...(task.client ? { client: task.client } : {}),
    ...(context.backend ? { backend: context.backend } : {}),
    ...(context.queueDepth !== undefined ? { queue_depth: context.queueDepth } : {}),
    ...(task.status === "completed" && task.result ? { timings: task.result.timings, detections: task.result.detections.length } : {}),
    ...(task.status === "failed" && task.error ? { error: task.error.code } : {}),
    ...(task.status === "canceled" && task.cancelReason ? { reason: task.cancelReason } : {}),
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.worker ? { worker: context.worker } : {}),
    ...(context.attempt ? { attempt: context.attempt } : {}),
    ...(context.detail ? { detail: context.detail } : {}),
  });
}
