import type { Config } from "../config/config";
import type { Cancel, Clock } from "../domain/clock";
import { DomainError } from "../domain/errors";
import { backlogSeconds, etaMs, type Rate } from "../domain/eta";
import type { CancelReason, DetectParams, Task, TaskError, TaskStatus } from "../domain/task";
import { isTerminal } from "../domain/task";
import { MapTaskStore, type TaskStore, type TransitionPatch } from "../domain/task-store";
import type { ModelInfo } from "../model/model-info";
import { prepareInput } from "../detect/prepare-input";
import type { DecodeLimits } from "../vision/decode";
import { FifoQueue } from "../queue/fifo-queue";
import type { Logger } from "../util/logger";
import { WorkerPool, type WorkerStatus } from "./worker-pool";
import type { WorkerReply, WorkerSlot } from "./worker-slot";

export interface RunnerOptions {
  modelPath: string;
  workers: number;
  threadsPerWorker: number;
  maxPixels: number;
  taskTimeoutMs: number;
  clock: Clock;
  log: Logger;
  /** the worker script; tests point this at fixtures that crash or hang */
  workerEntry?: string | URL;
  store?: TaskStore;
  /** no worker could ever load the model; the process cannot serve */
  onFatal?: (reason: string) => void;
  /** most tasks waiting in the queue */
  queueMax: number;
  /** most bytes all tasks may hold */
  maxStoreBytes: number;
  /** longest side of annotated images (0: full size) */
  annotatedMaxSide: number;
  /** where uploads are decoded and letterboxed: in the worker (default) or on the main thread */
  preprocessIn?: "worker" | "main";
}

/** The runner's options from the service configuration; `overrides` for a runner with another role. */
export function runnerOptions(
  config: Config,
  deps: Pick<RunnerOptions, "modelPath" | "clock" | "log" | "workerEntry" | "onFatal">,
  overrides: Partial<RunnerOptions> = {},
): RunnerOptions {
  return {
    ...deps,
    workers: config.workers,
    threadsPerWorker: config.threadsPerWorker,
    maxPixels: config.maxPixels,
    taskTimeoutMs: config.taskTimeoutMs,
    queueMax: config.queueMax,
    maxStoreBytes: config.maxStoreBytes,
    annotatedMaxSide: config.annotatedMaxSide,
    preprocessIn: config.preprocessIn,
    ...overrides,
  };
}

export type TransitionListener = (task: Task) => void;

const DEFAULT_ENTRY = new URL("../worker/inference-worker.ts", import.meta.url);
/** weight of the newest sample in the moving average of service time */
const EWMA_ALPHA = 0.2;

/**
 * Owns task bookkeeping: the store, the one FIFO queue, and which worker runs
 * what. Uploads go in, every accepted task reaches a terminal state, and each
 * transition is logged once.
 */
export class Runner {
  readonly store: TaskStore;
  private readonly queue = new FifoQueue<string>();
  private readonly pool: WorkerPool;
  private readonly timeouts = new Map<string, Cancel>();
  private readonly listeners = new Set<TransitionListener>();
  private serviceMsAvg?: number;
  /** set by drain(): no new work is accepted */
  draining = false;
  /** worker restarts so far, for metrics */
  workerFailures = 0;
  /** Image pipelines give up before the task would time out, so a worker ends up idle, not stuck. */
  private readonly limits: DecodeLimits;

  constructor(private readonly opts: RunnerOptions) {
    this.store = opts.store ?? new MapTaskStore();
    this.limits = { maxPixels: opts.maxPixels, timeoutSeconds: Math.max(1, Math.floor(opts.taskTimeoutMs / 2000)) };
    this.pool = new WorkerPool(
      opts.workers,
      opts.workerEntry ?? DEFAULT_ENTRY,
      {
        type: "init",
        modelPath: opts.modelPath,
        threads: opts.threadsPerWorker,
        maxPixels: this.limits.maxPixels,
        timeoutSeconds: this.limits.timeoutSeconds,
        annotatedMaxSide: opts.annotatedMaxSide,
      },
      opts.clock,
      {
        available: () => this.dispatch(),
        reply: (slot, reply) => this.onReply(slot, reply),
        crashed: (slot, reason, inFlight) => this.onCrash(slot, reason, inFlight),
        stuck: (slot) => opts.log.error("worker stuck", { worker: slot.id, detail: "a retired worker has not answered; left to finish" }),
        fatal: (reason) => {
          opts.log.error("model unusable", { reason });
          opts.onFatal?.(reason);
        },
      },
    );
  }

  start() {
    this.pool.start();
  }

  stop() {
    this.pool.stop();
    for (const cancel of this.timeouts.values()) cancel();
    this.timeouts.clear();
  }

  /** Model loaded and warmed in at least one worker. */
  get ready(): boolean {
    return this.pool.warmCount > 0;
  }

  get model(): ModelInfo | undefined {
    return this.pool.model;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  workers(): WorkerStatus[] {
    return this.pool.status();
  }

  /** Called after every transition (and on submit), with the task as it now is. */
  onTransition(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Refuses new work the service cannot take now: draining, model not loaded,
   * queue full, or the tasks' bytes (plus this upload) over the cap. Checked
   * from the declared size before the body is read, and again after.
   */
  admit(incomingBytes: number): void {
    if (this.draining) throw new DomainError("draining", "The service is shutting down; try another replica or later.", undefined, 5);
    // Once the model has loaded, uploads queue even while a crashed worker restarts.
    if (!this.model) throw new DomainError("not_ready", "The model is still loading; try again shortly.", undefined, 2);
    if (this.queue.length >= this.opts.queueMax) {
      throw new DomainError("queue_full", `The queue is full (${this.opts.queueMax} tasks waiting); retry later.`, undefined, this.backlogSeconds());
    }
    if (this.store.heldBytes + incomingBytes > this.opts.maxStoreBytes) {
      throw new DomainError("memory_full", "The service holds as much image data as it may; retry later.", undefined, this.backlogSeconds());
    }
  }

  /** Seconds until the current queue has drained, at the measured service rate. */
  backlogSeconds(): number {
    return backlogSeconds(this.queue.length, this.rate());
  }

  private rate(): Rate {
    return { serviceMs: this.serviceMsAvg, warmupMs: this.pool.warmupMs, lanes: this.pool.warmCount };
  }

  /** Admits and enqueues in one synchronous step, so concurrent uploads cannot all slip under the limits. */
  submit(image: Uint8Array, size: Task["size"], params: DetectParams, id: string = crypto.randomUUID()): Task {
    this.admit(image.byteLength);
    const now = this.opts.clock.now();
    const task: Task = { id, status: "pending", createdAt: now, updatedAt: now, params, size, input: image };
    this.store.create(task);
    this.queue.push(task.id);
    this.log(task, "pending");
    this.emit(task);
    // Dispatch after the caller has answered: the 201 shows the task as accepted (pending).
    setImmediate(() => this.dispatch());
    return task;
  }

  /** 1-based place in the queue, 0 when not queued. */
  queuePosition(id: string): number {
    return this.queue.positionOf(id);
  }

  /**
   * Expected wait until a task finishes, from the moving average of service
   * time; `position` is its place in the queue when pending (0 otherwise).
   */
  etaMs(task: Task, position: number): number | undefined {
    return etaMs(task, position, this.rate(), this.opts.clock.now());
  }

  get warmupMs(): number | undefined {
    return this.pool.warmupMs;
  }

  /** moving average of how long a successful task runs, once one has */
  get serviceMs(): number | undefined {
    return this.serviceMsAvg;
  }

  /** workers warmed and able to take a task (some may be busy) */
  get warmWorkers(): number {
    return this.pool.warmCount;
  }

  /**
   * A pending task leaves the queue at once; a processing one is marked
   * canceled and its worker's answer is discarded when it comes.
   */
  cancel(id: string, reason: CancelReason): Task {
    const task = this.store.get(id);
    if (!task) throw new DomainError("task_not_found", "No task with this id (it may have expired).");
    if (isTerminal(task.status)) throw new DomainError("task_finished", `The task is already ${task.status}.`);
    if (task.status === "pending") this.queue.remove(id);
    // A processing task keeps its timer: its worker is still busy with it, and
    // must be replaced if it never answers.
    this.move(id, "canceled", { cancelReason: reason, input: undefined });
    return task;
  }

  /** Resolves with the task once it is terminal, or undefined after `ms`. */
  waitForTerminal(id: string, ms: number): Promise<Task | undefined> {
    const task = this.store.get(id);
    if (!task || isTerminal(task.status)) return Promise.resolve(task);
    return new Promise((resolve) => {
      const stopTimer = this.opts.clock.setTimeout(() => done(undefined), ms);
      const unsubscribe = this.onTransition((t) => {
        if (t.id === id && isTerminal(t.status)) done(t);
      });
      function done(result: Task | undefined) {
        stopTimer();
        unsubscribe();
        resolve(result);
      }
    });
  }

  /** Tasks not yet finished. */
  get openTasks(): number {
    const counts = this.store.countByStatus();
    return counts.pending + counts.processing;
  }

  /**
   * Graceful shutdown: accept nothing new, let queued and running tasks finish
   * for up to `timeoutMs`, cancel what is left (reason `shutdown`), then stop
   * the workers. No accepted task is left without a terminal state.
   */
  async drain(timeoutMs: number): Promise<{ canceled: number }> {
    this.draining = true;
    if (this.openTasks > 0) {
      await new Promise<void>((resolve) => {
        const stopTimer = this.opts.clock.setTimeout(() => finish(), timeoutMs);
        const unsubscribe = this.onTransition(() => {
          if (this.openTasks === 0) finish();
        });
        function finish() {
          stopTimer();
          unsubscribe();
          resolve();
        }
      });
    }
    let canceled = 0;
    for (const task of [...this.store.values()]) {
      if (task.status === "pending" || task.status === "processing") {
        this.cancel(task.id, "shutdown");
        canceled++;
      }
    }
    this.stop();
    return { canceled };
  }

  private dispatch() {
    for (let slot = this.pool.idleSlot(); slot && this.queue.length > 0; slot = this.pool.idleSlot()) {
      const id = this.queue.shift();
      const task = id ? this.store.get(id) : undefined;
      if (!task || task.status !== "pending" || !task.input) continue;
      const image = wholeBuffer(task.input);
      this.move(task.id, "processing", { startedAt: this.opts.clock.now(), input: undefined });
      if (this.opts.preprocessIn === "main") {
        slot.reserve(task.id);
        this.armTimeout(slot, task.id);
        void this.prepareAndSend(slot, task, image);
        continue;
      }
      try {
        slot.predict(task.id, { kind: "bytes", image }, task.size, task.params);
      } catch (err) {
        this.opts.log.error("dispatch failed", { task_id: task.id, worker: slot.id, error: String(err) });
        this.failIfRunning(task.id, { code: "inference_failed", message: "The image could not be handed to a worker." });
        continue;
      }
      this.armTimeout(slot, task.id);
    }
  }

  private armTimeout(slot: WorkerSlot, taskId: string) {
    this.timeouts.set(taskId, this.opts.clock.setTimeout(() => this.onTimeout(slot, taskId), this.opts.taskTimeoutMs));
  }

  /** PREPROCESS=main: decode and letterbox here, then hand the prepared input to the reserved worker. */
  private async prepareAndSend(slot: WorkerSlot, task: Task, image: ArrayBuffer) {
    const model = this.pool.model!;
    const input = { width: model.inputWidth, height: model.inputHeight };
    try {
      const p = await prepareInput(new Uint8Array(image), task.size, input, task.params, this.limits, this.opts.annotatedMaxSide);
      if (task.status !== "processing" || slot.inFlight !== task.id) {
        slot.release(task.id); // canceled meanwhile: the worker is free for the next task
        return this.dispatch();
      }
      const pixels = p.image.data.buffer.slice(p.image.data.byteOffset, p.image.data.byteOffset + p.image.data.byteLength) as ArrayBuffer;
      slot.predict(
        task.id,
        { kind: "prepared", tensor: p.tensor.buffer as ArrayBuffer, pixels, width: p.image.width, height: p.image.height, geometry: p.geometry, ms: p.ms },
        task.size,
        task.params,
      );
    } catch (err) {
      this.clearTimeout(task.id);
      slot.release(task.id);
      const error = err instanceof DomainError ? { code: err.code, message: err.message } : { code: "inference_failed" as const, message: "The image could not be prepared." };
      this.failIfRunning(task.id, error);
      this.dispatch();
    }
  }

  private onReply(slot: WorkerSlot, reply: WorkerReply) {
    this.clearTimeout(reply.taskId);
    const task = this.store.get(reply.taskId);
    if (!task || task.status !== "processing") return;
    const now = this.opts.clock.now();
    if (reply.type === "result") {
      // Only successes feed the average: a fast failure says nothing about how long an image takes.
      const serviceMs = now - (task.startedAt ?? now);
      this.serviceMsAvg = this.serviceMsAvg === undefined ? serviceMs : this.serviceMsAvg + EWMA_ALPHA * (serviceMs - this.serviceMsAvg);
      const queue = (task.startedAt ?? now) - task.createdAt;
      this.move(task.id, "completed", { result: { ...reply.result, timings: { queue, ...reply.result.timings } } }, { worker: slot.id });
    } else {
      this.move(task.id, "failed", { error: reply.error }, { worker: slot.id });
    }
  }

  private onCrash(slot: WorkerSlot, reason: string, inFlight: string | undefined) {
    this.workerFailures++;
    this.opts.log.error("worker defunct", { worker: slot.id, reason, task_id: inFlight });
    if (inFlight) {
      this.clearTimeout(inFlight);
      this.failIfRunning(inFlight, { code: "worker_crashed", message: "The inference worker stopped while processing this image." });
    }
  }

  private onTimeout(slot: WorkerSlot, taskId: string) {
    this.timeouts.delete(taskId);
    if (slot.inFlight !== taskId) return;
    this.failIfRunning(taskId, {
      code: "timeout",
      message: `Processing took longer than ${this.opts.taskTimeoutMs} ms and was stopped.`,
    });
    // Still being prepared on the main thread: the worker never got it, and is
    // given back when the preparation ends (prepareAndSend).
    if (!slot.hasSent(taskId)) return;
    this.pool.retire(slot, "task timed out");
  }

  private failIfRunning(id: string, error: TaskError) {
    const task = this.store.get(id);
    if (task?.status === "processing") this.move(id, "failed", { error });
  }

  private clearTimeout(id: string) {
    this.timeouts.get(id)?.();
    this.timeouts.delete(id);
  }

  private move(id: string, to: TaskStatus, patch: TransitionPatch, extra: Record<string, unknown> = {}) {
    const task = this.store.transition(id, to, this.opts.clock.now(), patch);
    this.log(task, to, extra);
    this.emit(task);
  }

  private emit(task: Task) {
    for (const listener of [...this.listeners]) listener(task);
  }

  private log(task: Task, status: TaskStatus, extra: Record<string, unknown> = {}) {
    this.opts.log.info("task", {
      task_id: task.id,
      status,
      ...(status === "pending" ? { queue_depth: this.queue.length } : {}),
      ...(task.result ? { timings: task.result.timings, detections: task.result.detections.length } : {}),
      ...(task.error ? { error: task.error.code } : {}),
      ...(task.cancelReason ? { reason: task.cancelReason } : {}),
      ...extra,
    });
  }
}

/** Transfer needs an ArrayBuffer holding exactly the image; copy only when the view is a slice. */
function wholeBuffer(view: Uint8Array): ArrayBuffer {
  const buf = view.buffer as ArrayBuffer;
  return view.byteOffset === 0 && view.byteLength === buf.byteLength ? buf : buf.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
