import { hostname } from "node:os";
import { runDetection } from "../../executor/tiled-detection";
import { type Job, Worker as QueueWorker } from "bullmq";
import type Redis from "ioredis";
import { type Cancel, type Clock, systemClock } from "../../domain/clock";
import { taskFailure } from "../../domain/errors";
import { type InferenceResult, isTerminal, type TaskError } from "../../domain/task";
import { logTransition } from "../../domain/task-log";
import type { Executor } from "../../executor/executor";
import type { Logger } from "../../util/logger";
import { FairLanes } from "./fair-lanes";
import { InferenceRegistry } from "./inference-registry";
import { modelConsumer } from "./model-consumer";
import { Semaphore } from "../../util/semaphore";
import { parseEvent, type RedisTaskStore } from "./redis-task-store";

export interface ConsumerOptions {
  /** runs each image: the same executor and Bun Workers the embedded backend uses */
  executor: Executor;
  store: RedisTaskStore;
  /** BullMQ's consumer connection (blocking) */
  blocking: Redis;
  /** subscriber for cancel events */
  subscriber: Redis;
  /** durable connection for heartbeats */
  redis: Redis;
  clock: Clock;
  log: Logger;
  /** per model's queue: the jobs it takes at once (its workers; another model's jobs wait in the executor) */
  concurrency: number;
  /** the models its workers load: it consumes their queues only */
  models: string[];
  taskTtlMs: number;
  jobLockMs: number;
  jobMaxStalls: number;
}

const HEARTBEAT_MS = 1000;

/**
 * An inference process's side of the Redis backend: takes jobs off the BullMQ
 * queues of the models it holds, and each job claims the fair-next task of
 * its model (fair-lanes.ts), runs
 * it on the executor with the job's abort signal, and writes the outcome
 * back. BullMQ's lock renewal marks the job as alive; if this process dies,
 * the lock lapses and another process takes the job, and with it the same
 * task, over, up to JOB_MAX_STALLS times, after which the task fails with
 * worker_lost.
 */
export class InferenceConsumer {
  readonly instanceId = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  /** one per model it holds, consuming that model's queue */
  private readonly queueConsumers: QueueWorker[];
  private readonly registry: InferenceRegistry;
  private readonly lanes: FairLanes;
  /** the job running each task here (and its model's consumer), to abort it on a cancel */
  private readonly running = new Map<string, { jobId: string; consumer: QueueWorker }>();
  private stopBeat?: Cancel;
  private stopWatch?: Cancel;
  /** the model consumers taking jobs now */
  private readonly consuming = new Set<QueueWorker>();
  private beating = false;
  private draining = false;
  /** the workers' places, shared by every model's consumer */
  private readonly places: Semaphore;
  private beatError?: string;

  constructor(private readonly opts: ConsumerOptions) {
    this.registry = new InferenceRegistry(opts.redis, opts.store.keys);
    this.places = new Semaphore(opts.concurrency);
    this.lanes = new FairLanes(opts.redis, opts.store.keys);
    this.queueConsumers = opts.models.map((model) => {
      const consumer = modelConsumer(model, { ...opts, keys: opts.store.keys }, (job, signal) => this.process(job, model, consumer, signal), (jobId, message) => void this.jobFailed(jobId, message));
      return consumer;
    });
    // A cancel on any replica aborts the job here, if its task runs here.
    opts.subscriber.on("message", (_c: string, message: string) => {
      const event = parseEvent(message);
      const running = event?.status === "canceled" ? this.running.get(event.id) : undefined;
      if (running) running.consumer.cancelJob(running.jobId, "canceled");
    });
  }

  start() {
    this.opts.executor.start();
    void this.opts.subscriber.subscribe(this.opts.store.keys.events).catch(() => {});
    // Real time, whatever clock the tasks run on: heartbeats are I/O upkeep, not task timing.
    this.stopBeat = systemClock.setInterval(() => void this.beat(), HEARTBEAT_MS);
    // Take jobs the moment the model is warm here, not at the next heartbeat.
    const stopWatch = systemClock.setInterval(() => {
      if (!this.opts.executor.ready) return;
      stopWatch();
      void this.beat();
    }, 20);
    this.stopWatch = stopWatch;
  }

  /** Stop taking jobs, let running ones finish for up to `timeoutMs`, then stop. */
  async drain(timeoutMs: number) {
    this.draining = true;
    let stopTimer = () => {};
    const closed = Promise.all(this.queueConsumers.map((c) => c.close().catch(() => {})));
    await Promise.race([closed, new Promise<void>((r) => (stopTimer = this.opts.clock.setTimeout(r, timeoutMs)))]);
    stopTimer();
    await this.stop();
  }

  async stop() {
    this.stopBeat?.();
    this.stopWatch?.();
    // Force, and bounded: a close already waiting on running jobs (drain) would
    // wait on them again. Jobs still running here are taken over elsewhere once
    // their lock lapses.
    await Promise.race([Promise.all(this.queueConsumers.map((c) => c.close(true).catch(() => {}))), Bun.sleep(2000)]);
    this.opts.executor.stop();
    // Bounded: with Redis away the durable connection would wait for it; the heartbeat expires anyway.
    await Promise.race([this.registry.leave(this.instanceId).catch(() => {}), Bun.sleep(1000)]);
  }

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
    const { executor } = this.opts;
    const models = executor.models;
    if (!models) return;
    try {
      const states = executor.workers().map((w) => w.state);
      const beat = { id: this.instanceId, host: hostname(), pid: process.pid, workers: states.length, ready: executor.rate().lanes, busy: states.filter((s) => s === "busy").length };
      const rates = { serviceMs: executor.serviceMs, serviceMsOf: executor.serviceMsByModel(), warmupMs: executor.warmupMs };
      await this.registry.beat({ ...beat, ...rates, models: models.map((m) => m.name) }, models);
      this.beatError = undefined;
    } catch (err) {
      // Said once per cause, not every second: an outage, or a Redis that refuses the script (older than 7).
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.beatError) this.opts.log.warn("heartbeat failed", { error: message.slice(0, 300) });
      this.beatError = message;
    }
    // Take jobs once the model is warm here, whether or not the heartbeat got through.
    const idle = this.queueConsumers.filter((c) => !this.consuming.has(c));
    if (idle.length && executor.ready) {
      for (const consumer of idle) {
        this.consuming.add(consumer);
        consumer.run().catch((err) => {
          // Taken up again at the next heartbeat, rather than sit "ready" taking nothing.
          this.consuming.delete(consumer);
          this.opts.log.error("queue consumer stopped", { queue: consumer.name, error: String(err) });
        });
      }
      this.opts.log.info("consuming", { instance: this.instanceId, queues: idle.map((c) => c.name).join(", "), concurrency: this.opts.concurrency });
    }
  }

  /**
   * Each model's consumer takes up to WORKERS jobs at once; the gate keeps
   * their claims, whichever model they are for, to as many as there are
   * workers, so no task is marked processing here while it would wait for one
   * (another process may take it meanwhile).
   */
  private async process(job: Job, model: string, consumer: QueueWorker, signal?: AbortSignal) {
    await this.places.take();
    try {
      if (signal?.aborted) return "canceled";
      // Draining: claim nothing more here. The token ends unused; the reconciler gives its task another.
      if (this.draining) return "idle";
      return await this.claimAndRun(job, model, consumer, signal);
    } finally {
      this.places.give();
    }
  }

  private async claimAndRun(job: Job, model: string, consumer: QueueWorker, signal?: AbortSignal) {
    const { store, executor, clock, log } = this.opts;
    const jobId = job.id!;
    const claim = await this.lanes.claim(jobId, model, clock.now());
    // More tokens than pending tasks (a canceled task's token had already started): nothing to do.
    if (claim.kind === "none") return "idle";
    const id = claim.id;
    const found = await store.get(id, { withImage: false });
    if (!found || isTerminal(found.task.status)) {
      await this.lanes.forget(jobId); // canceled or expired while its process was away
      return "skipped";
    }
    const now = clock.now();
    let queueMs = (found.task.startedAt ?? now) - found.task.createdAt;
    if (claim.kind === "held") {
      // This job ran the task on a process that stopped: take the same task over.
      queueMs = now - found.task.createdAt;
      const taken = await store.transition(id, "processing", now, { startedAt: now }, { ttlMs: this.opts.taskTtlMs, retake: true, event: { queueMs } });
      if (!taken.ok) return "skipped";
      const attempt = found.attempts + 1;
      logTransition(log, { id, status: "processing", client: found.task.client }, { instance: this.instanceId, attempt, detail: "taken over after its inference process stopped" });
    } else {
      logTransition(log, { id, status: "processing", client: found.task.client }, { instance: this.instanceId });
    }
    this.running.set(id, { jobId, consumer });
    try {
      const upload = await store.upload(id);
      if (!upload) return this.finish(id, { error: taskFailure.uploadGone() });
      const outcome = await runDetection(executor, { id, image: upload, size: found.task.size, params: found.task.params }, signal);
      if (outcome.status === "canceled") return "canceled";
      if (outcome.status === "failed") return this.finish(id, { error: outcome.error }, outcome.worker);
      return this.finish(id, { result: { ...outcome.result, timings: { ...outcome.result.timings, queue: queueMs } } }, outcome.worker);
    } finally {
      this.running.delete(id);
    }
  }

  /** BullMQ failed a job: stalled more than JOB_MAX_STALLS times, or the processor threw. Its task says why. */
  private async jobFailed(jobId: string, message: string) {
    const id = await this.lanes.heldBy(jobId).catch(() => undefined);
    if (!id) return;
    if (/stalled/i.test(message)) return this.failQuietly(id, taskFailure.lost());
    // The processor itself failed: most likely Redis refused to store the result (full).
    this.opts.log.error("job failed", { task_id: id, error: message.slice(0, 300) });
    await this.failQuietly(id, taskFailure.resultNotStored());
  }

  private async finish(id: string, outcome: { result?: InferenceResult & { timings: { queue: number } }; error?: TaskError }, worker?: string) {
    const to = outcome.result ? "completed" : "failed";
    const done = await this.opts.store.transition(id, to, this.opts.clock.now(), outcome, {
      ttlMs: this.opts.taskTtlMs,
      event: outcome.result ? { timings: outcome.result.timings, ...(outcome.result.model ? { model: outcome.result.model } : {}) } : {},
    });
    if (!done.ok) {
      this.opts.log.info("result discarded", { task_id: id, status: done.current, instance: this.instanceId });
      return "discarded";
    }
    logTransition(this.opts.log, { id, status: to, ...outcome }, { instance: this.instanceId, worker });
    return to;
  }

  /** Fails an open task if it still is one; a write Redis refuses is left to the reconciler. */
  private async failQuietly(id: string, error: TaskError) {
    const done = await this.opts.store.transition(id, "failed", this.opts.clock.now(), { error }, { ttlMs: this.opts.taskTtlMs }).catch(() => undefined);
    if (done?.ok) logTransition(this.opts.log, { id, status: "failed", error }, { instance: this.instanceId });
  }
}
