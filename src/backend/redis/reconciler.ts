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
 * is the backstop that nothing accepted waits forever. An open task whose
 * BullMQ job is gone or failed (its process died too often, or an event was
 * lost in an outage) is failed with worker_lost. Idempotent: every replica
 * may run it.
 */
export class Reconciler {
  private cancel?: Cancel;

  constructor(
    private readonly store: RedisTaskStore,
    private readonly queue: () => Queue | undefined,
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
    const queue = this.queue();
    if (!queue) return [];
    const now = this.clock.now();
    const lost: string[] = [];
    const processing = await this.store.openIds("processing");
    const pending = await this.store.openIds("pending");
    const created = await Promise.all(pending.map(async (p) => ({ id: p.id, created: await this.store.createdAt(p.id) })));
    // An id whose record is gone (deleted by hand, or an evicting Redis) would count against QUEUE_MAX forever.
    const vanished = [...created.filter((p) => p.created === undefined).map((p) => p.id), ...(await this.store.missing(processing.map((p) => p.id)))];
    const dropped = vanished.length ? await this.store.forgetOrphans(vanished) : 0;
    if (dropped) this.log.warn("open ids without a task record dropped", { count: dropped });
    const candidates = [
      ...processing.filter((p) => now - p.score > GRACE_MS && !vanished.includes(p.id)).map((p) => p.id),
      ...created.filter((p) => p.created !== undefined && now - p.created > GRACE_MS).map((p) => p.id),
    ];
    for (const id of candidates) {
      const state = await queue.getJobState(id);
      if (state !== "unknown" && state !== "failed" && state !== "completed") continue;
      const error = taskFailure.jobLost();
      const done = await this.store.transition(id, "failed", now, { error }, { ttlMs: this.taskTtlMs });
      if (done.ok) {
        lost.push(id);
        logTransition(this.log, { id, status: "failed", error }, { backend: "redis", detail: `job ${state}` });
      }
    }
    return lost;
  }
}
