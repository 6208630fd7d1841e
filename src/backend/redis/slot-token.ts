import type { Queue } from "bullmq";
import type { Clock } from "../../domain/clock";
import { refuse, taskFailure } from "../../domain/errors";
import type { Task } from "../../domain/task";
import { logTransition } from "../../domain/task-log";
import type { Logger } from "../../util/logger";
import type { RedisTaskStore } from "./redis-task-store";

/**
 * Adds a stored task's slot token to its model's queue (fair-lanes.ts: one
 * per task; whichever task of that model is fair-next when it runs is the one
 * it takes). A token that never reaches the queue withdraws the task, failed,
 * so nothing waits for a job that does not exist, and the upload gets 503.
 */
export async function queueSlotToken(queue: Queue | undefined, task: Task, deps: { store: RedisTaskStore; clock: Clock; log: Logger; taskTtlMs: number }): Promise<void> {
  try {
    if (!queue) throw refuse.backendUnavailable();
    await queue.add("detect", { for: task.id }, { jobId: task.id });
  } catch {
    const error = taskFailure.notQueued();
    // Only while still pending: after a timed-out add, the job may in fact exist and be running.
    const withdrawn = await deps.store.transition(task.id, "failed", deps.clock.now(), { error }, { ttlMs: deps.taskTtlMs, onlyFrom: ["pending"] }).catch(() => undefined);
    if (withdrawn?.ok) logTransition(deps.log, { id: task.id, status: "failed", error }, { backend: "redis" });
    throw refuse.backendUnavailable();
  }
}
