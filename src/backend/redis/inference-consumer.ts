import { hostname } from "node:os";
import { type Job, Worker } from "bullmq";
import type Redis from "ioredis";
import { type Cancel, type Clock, systemClock } from "../../domain/clock";
import { isTerminal, type TaskError } from "../../domain/task";
import type { Runner } from "../../runner/runner";
import type { Logger } from "../../util/logger";
import { InferenceRegistry } from "./inference-registry";
import { QUEUE_NAME } from "./keys";
import { parseEvent, type RedisTaskStore } from "./redis-task-store";

export interface ConsumerOptions {
  /** the local pool: the same Runner and Bun Workers the embedded backend uses */
  runner: Runner;
  store: RedisTaskStore;
  /** BullMQ's worker connection (blocking) */
  blocking: Redis;
  /** subscriber for cancel events */
  subscriber: Redis;
  /** durable connection for heartbeats */
  redis: Redis;
  clock: Clock;
  log: Logger;
  concurrency: number;
  taskTtlMs: number;
  jobLockMs: number;
  jobMaxStalls: number;
}

const HEARTBEAT_MS = 1000;
/** the runner's own TASK_TIMEOUT_MS ends every task long before this */
const LOCAL_WAIT_MS = 24 * 3600 * 1000;

/**
 * An inference process's side of the Redis backend: takes jobs off the shared
 * BullMQ queue, runs them on the local Runner (Bun Workers, ONNX), and writes
 * the outcome back. BullMQ's lock renewal marks the job as alive; if this
 * process dies, the lock lapses and another process takes the job over, up
 * to JOB_MAX_STALLS times, after which the task fails with worker_lost.
 */
export class InferenceConsumer {
  readonly instanceId = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  private readonly worker: Worker;
  private readonly registry: InferenceRegistry;
  /** Redis task ids running here, so a cancel from any replica can reach them */
  private readonly active = new Set<string>();
  private stopBeat?: Cancel;
  private stopWatch?: Cancel;
  private running = false;

  constructor(private readonly opts: ConsumerOptions) {
    this.registry = new InferenceRegistry(opts.redis, opts.store.keys);
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: opts.blocking,
      prefix: opts.store.keys.bullPrefix,
      concurrency: opts.concurrency,
      autorun: false,
      lockDuration: opts.jobLockMs,
      stalledInterval: opts.jobLockMs,
      maxStalledCount: opts.jobMaxStalls,
    });
    this.worker.on("error", (err) => opts.log.warn("queue consumer error", { error: err.message }));
    // A job that lost its process more than JOB_MAX_STALLS times is failed by BullMQ; say why on the task.
    this.worker.on("failed", (job, err) => {
      if (!job) return;
      if (/stalled/i.test(err.message)) return void this.lost(job.data.id);
      // The processor itself failed: most likely Redis refused to store the result (full).
      opts.log.error("job failed", { task_id: job.data.id, error: err.message.slice(0, 300) });
      void this.failQuietly(job.data.id, { code: "inference_failed", message: "The result could not be stored; submit the image again." });
    });
    opts.subscriber.on("message", (_c: string, message: string) => {
      const event = parseEvent(message);
      if (event?.status === "canceled" && this.active.has(event.id)) {
        try {
          opts.runner.cancel(event.id, "client");
        } catch {
          // already finished here: its result will be refused by the store
        }
      }
    });
  }

  /** the local pool this consumer feeds: its model, readiness, rate and workers */
  get runner(): Runner {
    return this.opts.runner;
  }

  start() {
    this.opts.runner.start();
    void this.opts.subscriber.subscribe(this.opts.store.keys.events).catch(() => {});
    // Real time, whatever clock the tasks run on: heartbeats are I/O upkeep, not task timing.
    this.stopBeat = systemClock.setInterval(() => void this.beat(), HEARTBEAT_MS);
    // Take jobs the moment the model is warm here, not at the next heartbeat.
    const stopWatch = systemClock.setInterval(() => {
      if (!this.opts.runner.ready) return;
      stopWatch();
      void this.beat();
    }, 20);
    this.stopWatch = stopWatch;
  }

  /** Stop taking jobs, let running ones finish for up to `timeoutMs`, then stop. */
  async drain(timeoutMs: number) {
    let stopTimer = () => {};
    await Promise.race([this.worker.close().catch(() => {}), new Promise<void>((r) => (stopTimer = this.opts.clock.setTimeout(r, timeoutMs)))]);
    stopTimer();
    await this.stop();
  }

  async stop() {
    this.stopBeat?.();
    this.stopWatch?.();
    // Force, and bounded: a close already waiting on running jobs (drain) would
    // wait on them again. Jobs still running here are taken over elsewhere once
    // their lock lapses.
    await Promise.race([this.worker.close(true).catch(() => {}), Bun.sleep(2000)]);
    this.opts.runner.stop();
    // Bounded: with Redis away the durable connection would wait for it; the heartbeat expires anyway.
    await Promise.race([this.registry.leave(this.instanceId).catch(() => {}), Bun.sleep(1000)]);
  }

  private beating = false;
  private beatError?: string;

  /** One at a time: during an outage the durable connection holds them, and they must not pile up. */
  private async beat() {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.beatOnce();
    } finally {
      this.beating = false;
    }
  }

  private async beatOnce() {
    const runner = this.opts.runner;
    const model = runner.model;
    if (!model) return;
    try {
      const states = runner.workers().map((w) => w.state);
      const beat = { id: this.instanceId, host: hostname(), pid: process.pid, workers: states.length, ready: runner.warmWorkers, busy: states.filter((s) => s === "busy").length };
      await this.registry.beat({ ...beat, serviceMs: runner.serviceMs, warmupMs: runner.warmupMs, model: model.name }, model);
      this.beatError = undefined;
    } catch (err) {
      // Said once per cause, not every second: an outage, or a Redis that refuses the script (older than 7).
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.beatError) this.opts.log.warn("heartbeat failed", { error: message.slice(0, 300) });
      this.beatError = message;
    }
    // Take jobs once the model is warm here, whether or not the heartbeat got through.
    if (!this.running && runner.ready) {
      this.running = true;
      this.worker.run().catch((err) => {
        // Taken up again at the next heartbeat, rather than sit "ready" taking nothing.
        this.running = false;
        this.opts.log.error("queue consumer stopped", { error: String(err) });
      });
      this.opts.log.info("consuming", { instance: this.instanceId, concurrency: this.opts.concurrency });
    }
  }

  private async process(job: Job<{ id: string }>) {
    const { store, runner, clock, log } = this.opts;
    const id = job.data.id;
    const found = await store.get(id, { withImage: false });
    if (!found || isTerminal(found.task.status)) return "skipped"; // canceled (or expired) while it waited
    const now = clock.now();
    const queueMs = now - found.task.createdAt;
    const taken = await store.transition(id, "processing", now, { startedAt: now }, { ttlMs: this.opts.taskTtlMs, retake: true, event: { queueMs } });
    if (!taken.ok) return "skipped";
    log.info("task", { task_id: id, status: "processing", worker: this.instanceId, ...(found.attempts > 0 ? { attempt: found.attempts + 1, detail: "taken over after its inference process stopped" } : {}) });
    const upload = await store.upload(id);
    if (!upload) return this.finish(id, { error: { code: "inference_failed", message: "The upload was no longer stored." } });
    this.active.add(id);
    try {
      try {
        runner.submit(upload, found.task.size, found.task.params, id);
      } catch {
        return this.finish(id, { error: { code: "inference_failed", message: "The image could not be handed to a worker." } });
      }
      await runner.waitForTerminal(id, LOCAL_WAIT_MS);
      const local = runner.store.get(id);
      runner.store.delete(id);
      if (local?.status === "completed" && local.result) {
        const timings = { ...local.result.timings, queue: queueMs };
        return this.finish(id, { result: { ...local.result, timings } });
      }
      if (local?.status === "failed" && local.error) return this.finish(id, { error: local.error });
      return "canceled";
    } finally {
      this.active.delete(id);
    }
  }

  private async finish(id: string, outcome: { result?: NonNullable<ReturnType<Runner["store"]["get"]>>["result"]; error?: TaskError }) {
    const to = outcome.result ? "completed" : "failed";
    const done = await this.opts.store.transition(id, to, this.opts.clock.now(), outcome, {
      ttlMs: this.opts.taskTtlMs,
      event: outcome.result ? { timings: outcome.result.timings } : {},
    });
    if (!done.ok) {
      this.opts.log.info("result discarded", { task_id: id, status: done.current, worker: this.instanceId });
      return "discarded";
    }
    this.opts.log.info("task", {
      task_id: id,
      status: to,
      worker: this.instanceId,
      ...(outcome.result ? { timings: outcome.result.timings, detections: outcome.result.detections.length } : {}),
      ...(outcome.error ? { error: outcome.error.code } : {}),
    });
    return to;
  }

  /** BullMQ gave up on a job whose process kept dying. */
  private lost(id: string) {
    return this.failQuietly(id, { code: "worker_lost", message: "The inference process stopped while processing this image, more times than allowed." });
  }

  /** Fails an open task if it still is one; a write Redis refuses is left to the reconciler. */
  private async failQuietly(id: string, error: TaskError) {
    const done = await this.opts.store.transition(id, "failed", this.opts.clock.now(), { error }, { ttlMs: this.opts.taskTtlMs }).catch(() => undefined);
    if (done?.ok) this.opts.log.info("task", { task_id: id, status: "failed", error: error.code, worker: this.instanceId });
  }
}
