import type { Cancel, Clock } from "../domain/clock";
import { taskFailure } from "../domain/errors";
import type { Rate } from "../domain/eta";
import { ServiceTimes } from "./service-times";
import type { InferenceStats } from "./inference-stats";

export type { InferenceStats };
import type { InferenceResult, TaskError } from "../domain/task";
import type { ModelFile } from "../model/resolve-model";
import type { Logger } from "../util/logger";
import { keepInferenceThreadsLowered } from "./inference-priority";
import type { PredictRequest, WorkerReply } from "./protocol";
import { type WorkerStatus, WorkerPool } from "./worker-pool";
import type { SpawnWorker, WorkerSlot } from "./worker-slot";

export interface ExecutorOptions {
  /** every worker loads each of them, the default first */
  models: ModelFile[];
  workers: number;
  threadsPerWorker: number;
  maxPixels: number;
  taskTimeoutMs: number;
  /** longest side of annotated images (0: full size) */
  annotatedMaxSide: number;
  /** nice value for the inference threads (0: leave them at the HTTP thread's priority) */
  nice?: number;
  clock: Clock;
  log: Logger;
  /** how a worker thread is made; tests hand in fixtures that crash or hang, or fake workers */
  spawn?: SpawnWorker;
  /** no worker could ever load the model; the process cannot serve */
  onFatal?: (reason: string) => void;
}

/** One image to run (or one tile of it: see PredictRequest). */
export interface InferenceJob extends PredictRequest {
  id: string;
  /** the upload; its buffer is transferred to the worker (unless shared), so the caller must not use it afterwards */
  image: Uint8Array;
}

export type JobOutcome =
  | { status: "completed"; result: InferenceResult; worker: string }
  | { status: "failed"; error: TaskError; worker?: string }
  | { status: "canceled" };

/** One call of run(), from handing in to outcome. */
interface Run {
  job: InferenceJob;
  /** unique per call: a retried job (same id) never takes another run's reply */
  runId: string;
  settle(outcome: JobOutcome): void;
  /** aborted by its caller: a late answer is dropped and says nothing about service time */
  aborted: boolean;
  /** set once posted to a worker */
  slot?: WorkerSlot;
  startedAt?: number;
  stopTimer?: Cancel;
}

const DEFAULT_ENTRY = new URL("./inference-worker.ts", import.meta.url);

/**
 * Owns the worker pool and runs one image at a time per worker: `run` resolves
 * to the job's outcome, with a per-job timeout, a crash as a failure, worker
 * replacement and the moving service-time average. It keeps no task records:
 * whoever queued the job owns its bookkeeping.
 */
export class Executor implements InferenceStats {
  private readonly pool: WorkerPool;
  /** runs posted to a worker, by run id */
  private readonly running = new Map<string, Run>();
  /** runs handed in while every worker was busy or restarting, in arrival order */
  private readonly waiting: Run[] = [];
  private runs = 0;
  private stopRenice: Cancel = () => {};
  private readonly idleListeners = new Set<() => void>();
  private readonly times = new ServiceTimes();
  failures = 0;

  constructor(private readonly opts: ExecutorOptions) {
    const spawn = opts.spawn ?? (() => new Worker(DEFAULT_ENTRY));
    // Image pipelines give up before the job would time out, so a worker ends up idle, not stuck.
    const timeoutSeconds = Math.max(1, Math.floor(opts.taskTimeoutMs / 2000));
    const init = { type: "init", models: opts.models, threads: opts.threadsPerWorker, maxPixels: opts.maxPixels, timeoutSeconds, annotatedMaxSide: opts.annotatedMaxSide } as const;
    this.pool = new WorkerPool(opts.workers, spawn, init, opts.clock, {
      available: () => this.onAvailable(),
      reply: (slot, reply) => this.onReply(slot, reply),
      lost: (slot, reason, inFlight) => this.onLost(slot, reason, inFlight),
      log: (slot, { level, msg, fields }) => opts.log[level](msg, { ...fields, worker: slot.id }),
      stuck: (slot) => opts.log.error("worker stuck", { worker: slot.id, detail: "a retired worker has not answered; left to finish" }),
      fatal: (reason) => {
        opts.log.error("model unusable", { model: opts.models.map((m) => m.path).join(", "), reason });
        opts.onFatal?.(reason);
      },
    });
  }

  start() {
    this.pool.start();
    if (this.opts.nice) this.stopRenice = keepInferenceThreadsLowered(this.opts.clock, this.opts.nice);
  }

  /**
   * Stops the workers. Runs still waiting or running are abandoned, never
   * settled: the process is ending, and their owner decides what they become
   * (on Redis, another inference process takes the job over once its lock lapses).
   */
  stop() {
    this.stopRenice();
    this.pool.stop();
    for (const r of this.running.values()) r.stopTimer?.();
    this.running.clear();
    this.waiting.length = 0;
  }

  get models() {
    return this.pool.models;
  }

  get ready() {
    return this.pool.warmCount > 0;
  }

  get warmupMs() {
    return this.pool.warmupMs;
  }

  /** workers free to take a job now */
  get idleWorkers(): number {
    return this.waiting.length ? 0 : this.pool.idleCount;
  }

  rate(model?: string): Rate {
    return { serviceMs: this.times.of(model), warmupMs: this.pool.warmupMs, lanes: this.pool.warmCount };
  }

  get serviceMs() {
    return this.times.all;
  }

  serviceMsByModel(): Record<string, number> {
    return this.times.perModel();
  }

  workers(): WorkerStatus[] {
    return this.pool.status();
  }

  /** Called whenever a worker becomes free and no job handed to `run` is waiting for it. */
  onIdle(listener: () => void): Cancel {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  /**
   * Runs one image on the next free worker. An abort settles the job as
   * canceled at once; a worker already running it finishes in the background
   * (its answer is dropped), and is still replaced if it never answers.
   */
  run(job: InferenceJob, signal?: AbortSignal): Promise<JobOutcome> {
    if (signal?.aborted) return Promise.resolve({ status: "canceled" });
    return new Promise((resolve) => {
      let settled = false;
      const run: Run = {
        job,
        runId: `${job.id}#${++this.runs}`,
        aborted: false,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          resolve(outcome);
        },
      };
      const onAbort = () => {
        run.aborted = true;
        const at = this.waiting.indexOf(run);
        if (at >= 0) this.waiting.splice(at, 1);
        run.settle({ status: "canceled" });
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const slot = this.waiting.length ? undefined : this.pool.idleSlot();
      if (slot) this.post(slot, run);
      else this.waiting.push(run);
    });
  }

  private post(slot: WorkerSlot, run: Run) {
    try {
      const { id: _, image, ...request } = run.job;
      slot.predict(run.runId, wholeBuffer(image), request);
    } catch (err) {
      this.opts.log.error("dispatch failed", { task_id: run.job.id, worker: slot.id, error: String(err) });
      return run.settle({ status: "failed", error: taskFailure.notHandedOver() });
    }
    run.slot = slot;
    run.startedAt = this.opts.clock.now();
    run.stopTimer = this.opts.clock.setTimeout(() => this.onTimeout(slot, run.runId), this.opts.taskTimeoutMs);
    this.running.set(run.runId, run);
  }

  private onAvailable() {
    for (let slot = this.pool.idleSlot(); slot && this.waiting.length; slot = this.pool.idleSlot()) this.post(slot, this.waiting.shift()!);
    if (this.pool.idleCount > 0) for (const l of [...this.idleListeners]) l();
  }

  private onReply(slot: WorkerSlot, reply: WorkerReply) {
    const r = this.finish(reply.runId);
    if (!r) return;
    if (reply.type === "failure") return r.settle({ status: "failed", error: reply.error, worker: slot.id });
    if (r.aborted) return;
    // Only whole images that succeeded feed the average, which prices a queued task: a fast failure
    // says nothing about an image, and a tile's run (a partial decode, no drawing) is not a task's.
    if (!r.job.region) this.times.record(r.job.params.model ?? this.models?.[0]?.name, this.opts.clock.now() - r.startedAt!);
    r.settle({ status: "completed", result: reply.result, worker: slot.id });
  }

  private onLost(slot: WorkerSlot, reason: string, inFlight: string | undefined) {
    this.failures++;
    const r = inFlight ? this.finish(inFlight) : undefined;
    this.opts.log.error("worker defunct", { worker: slot.id, reason, ...(r ? { task_id: r.job.id } : {}) });
    r?.settle({ status: "failed", error: taskFailure.crashed(), worker: slot.id });
  }

  private onTimeout(slot: WorkerSlot, runId: string) {
    const r = this.finish(runId);
    if (!r) return;
    r.settle({ status: "failed", error: taskFailure.timeout(this.opts.taskTimeoutMs), worker: slot.id });
    this.pool.retire(slot, "task timed out");
  }

  /** Ends a posted run's bookkeeping (timer included); undefined when it had ended already. */
  private finish(runId: string): Run | undefined {
    const r = this.running.get(runId);
    if (!r) return undefined;
    this.running.delete(runId);
    r.stopTimer?.();
    return r;
  }
}

/** Transfer needs an ArrayBuffer holding exactly the image; copy only when the view is a slice. A shared one is shared whole. */
function wholeBuffer(view: Uint8Array): ArrayBuffer | SharedArrayBuffer {
  const buf = view.buffer;
  return view.byteOffset === 0 && view.byteLength === buf.byteLength ? buf : buf.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
