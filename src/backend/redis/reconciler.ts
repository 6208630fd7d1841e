import type { Queue } from "bullmq";
import type { Cancel, Clock } from "../../domain/clock";
import { taskFailure } from "../../domain/errors";
import { logTransition } from "../../domain/task-log";
import type { Logger } from "../../util/logger";
import type { RedisTaskStore } from "./redis-task-store";

/** An open task must have a job this long after it was queued or taken, or it is lost. */
const GRACE_MS = 10_000;

/**
 * The Redis backend's housekeeping, in place of the in-memory garbage
 * collector: finished tasks expire by Redis TTL on their own, so what is left
 * is the backstop that nothing accepted waits forever.
 * - A processing task whose BullMQ job is gone or failed (its process died
 *   too often, or an event was lost in an outage) is failed with worker_lost.
 * - Pending tasks need as many slot tokens (jobs that have not claimed a
 *   task yet) in their model's queue as there are of them. A replica that
 *   died between storing a task and adding its job leaves one short: the
 *   missing tokens are added, and the task runs. A token too many only ends
 *   without work.
 * Idempotent: every replica may run it.
 */
export class Reconciler {
  private cancel?: Cancel;

  constructor(
    private readonly store: RedisTaskStore,
    /** a model's queue of slot tokens (keys.ts: queueName) */
    private readonly queue: (model: string) => Queue | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly taskTtlMs: number,
    private readonly intervalMs: number,
  ) {}

  start() {
    this.stop();
    this.cancel = this.clock.setInterval(() => void this.sweep().catch(() => {}), this.intervalMs);
  }

  stop() {
    this.cancel?.();
    this.cancel = undefined;
  }

  async sweep(): Promise<string[]> {
    const now = this.clock.now();
    const lost: string[] = [];
    const processing = await this.store.openIds("processing");
    const pending = await this.store.openIds("pending");
    const created = await Promise.all(pending.map(async (p) => ({ id: p.id, ...(await this.store.openFields(p.id)) })));
    const running = await Promise.all(processing.map(async (p) => ({ ...p, ...(await this.store.openFields(p.id)) })));
    const processingModels = running.map((p) => p.model);
    // An id whose record is gone (deleted by hand, or an evicting Redis) would count against QUEUE_MAX forever.
    const vanished = [...created, ...running].filter((p) => p.created === undefined).map((p) => p.id);
    const dropped = vanished.length ? await this.store.forgetOrphans(vanished) : 0;
    if (dropped) this.log.warn("open ids without a task record dropped", { count: dropped });
    const stuck = running.filter((p) => now - p.score > GRACE_MS && p.created !== undefined);
    for (const { id, model } of stuck) {
      // A task recorded without a model (queued before models had names) has no queue to look in.
      const queue = model ? this.queue(model) : undefined;
      if (!queue) continue;
      // The job that claimed it (a task moved by hand has none: its own id, as tokens are named)
      const job = (await this.store.jobOf(id)) ?? id;
      const state = await queue.getJobState(job);
      if (state !== "unknown" && state !== "failed" && state !== "completed") continue;
      const error = taskFailure.jobLost();
      const done = await this.store.transition(id, "failed", now, { error }, { ttlMs: this.taskTtlMs });
      if (done.ok) {
        lost.push(id);
        logTransition(this.log, { id, status: "failed", error }, { backend: "redis", detail: `job ${state}` });
      }
    }
    const models = new Set(created.map((p) => p.model).filter((m): m is string => Boolean(m)));
    for (const model of models) {
      const queue = this.queue(model);
      if (!queue) continue;
      const ofModel = created.filter((p) => p.model === model);
      const overdue = ofModel.filter((p) => p.created !== undefined && now - p.created > GRACE_MS).length;
      await this.refillTokens(queue, overdue, ofModel.length, processingModels.filter((m) => m === model).length);
    }
    return lost;
  }

  /**
   * Adds the slot tokens pending tasks lack. Tokens that have not claimed yet
   * are the waiting jobs plus the active ones beyond those holding a task.
   * Counted apart from the task sets, so a sweep may add one too many while a
   * job is mid-claim; that one ends without work. Only tasks past the grace
   * period count, so an upload whose job is being added right now is not.
   */
  private async refillTokens(queue: Queue, overdue: number, pending: number, processing: number) {
    if (overdue === 0) return;
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    const unclaimed = counts.waiting + counts.delayed + counts.prioritized + Math.max(0, counts.active - processing);
    const missing = Math.min(overdue, pending - unclaimed);
    if (missing <= 0) return;
    await queue.addBulk(Array.from({ length: missing }, () => ({ name: "detect", data: { for: "refill" }, opts: { jobId: `refill-${crypto.randomUUID()}` } })));
    this.log.warn("queue tokens refilled", { count: missing, queue: queue.name, detail: "pending tasks had no job (an API replica stopped between storing a task and queueing it)" });
  }
}
