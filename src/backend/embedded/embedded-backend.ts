import type { Clock } from "../../domain/clock";
import { refuse, taskFailure } from "../../domain/errors";
import { etaMs, extraRunsAhead } from "../../domain/eta";
import type { TtlSweeper } from "../../domain/ttl-sweeper";
import { type CancelReason, type DetectParams, type ImageSize, isTerminal, type Task, type TaskStatus } from "../../domain/task";
import { logTransition, type TransitionContext } from "../../domain/task-log";
import type { MapTaskStore, TransitionPatch } from "../../domain/task-store";
import type { Executor, JobOutcome } from "../../executor/executor";
import { inputScaleOf, runDetection, runsOf } from "../../executor/tiled-detection";
import { FairQueue } from "../../queue/fair-queue";
import type { Logger } from "../../util/logger";
import type { WebhookRequest } from "../../domain/webhook";
import type { MemoryDeliveryQueue } from "../../webhook/memory-delivery-queue";
import { admissionError, refusalFor } from "../admission";
import { EventHub } from "../event-hub";
import { untilEvent } from "../until-event";
import { TiledAhead } from "./tiled-ahead";
import type { IdempotencyStore } from "../idempotency";
import { BACKLOGS_SHOWN, type BackendHealth, sumWorkers, type TaskBackend, type TaskSnapshot } from "../task-backend";

export interface EmbeddedBackendOptions {
  store: MapTaskStore;
  executor: Executor;
  sweeper: TtlSweeper;
  clock: Clock;
  log: Logger;
  /** most tasks waiting in the queue */
  queueMax: number;
  /** most tasks one client may have waiting */
  clientQueueMax: number;
  /** most bytes all tasks may hold */
  maxStoreBytes: number;
  deliveries: MemoryDeliveryQueue;
  idempotency: IdempotencyStore;
}

/**
 * Everything in this process: the Map store, the fair queue (clients take turns), admission,
 * drain and expiry; the executor runs each task (in tiles when asked: runDetection).
 * Admission and queueing are one synchronous step, so concurrent uploads cannot all slip under the limits.
 */
export class EmbeddedBackend implements TaskBackend {
  readonly kind = "embedded" as const;
  draining = false;
  /** never: a drain here brings every task to an end itself, so streams end with their task */
  readonly closing = false;
  private readonly queue = new FairQueue<string>();
  private readonly events = new EventHub();
  /** cancels the executor's run of each processing task */
  private readonly runs = new Map<string, AbortController>();
  private readonly tiled = new TiledAhead();
  private stopIdle = () => {};

  readonly deliveries: MemoryDeliveryQueue;
  readonly idempotency: IdempotencyStore;

  constructor(private readonly opts: EmbeddedBackendOptions) {
    ({ deliveries: this.deliveries, idempotency: this.idempotency } = opts);
  }

  get models() {
    return this.opts.executor.models;
  }

  get workerFailures() {
    return this.opts.executor.failures;
  }

  /** Every worker loads every model: one warm worker holds them all. */
  holds(model: string) {
    return this.opts.executor.ready && Boolean(this.models?.some((m) => m.name === model));
  }

  notReadyReason(): string | undefined {
    if (this.draining) return "draining: the service is shutting down";
    if (!this.models) return "starting: the models are loading";
    if (!this.opts.executor.ready) return "no worker is ready (all are restarting)";
    return undefined;
  }

  async admit(incomingBytes: number, client: string, count = 1) {
    this.check(incomingBytes, client, count);
  }

  async submit(image: Uint8Array, size: ImageSize, params: DetectParams, client: string, webhook?: WebhookRequest) {
    this.check(image.byteLength, client);
    const now = this.opts.clock.now();
    const task: Task = { id: crypto.randomUUID(), status: "pending", createdAt: now, updatedAt: now, params, client, size, input: image, ...(webhook ? { webhook } : {}) };
    this.opts.store.create(task);
    this.queue.push(client, task.id);
    this.tiled.add(task.id, runsOf(task, this.models));
    this.announce(task, { queueDepth: this.queue.length });
    // Dispatch after the caller has answered: the 201 shows the task as accepted (pending).
    setImmediate(() => this.dispatch());
    return this.snapshot(task);
  }

  /** Held in this process: answered at once, unless its webhook deliveries are to be read (then find()). */
  findHeld(id: string) {
    const task = this.opts.store.get(id);
    return task && !task.webhook ? this.snapshot(task) : undefined;
  }

  async find(id: string) {
    const held = this.findHeld(id);
    if (held) return held;
    const task = this.opts.store.get(id);
    return task && { ...this.snapshot(task), deliveries: await this.opts.deliveries.statesOf(id) };
  }

  /** A pending task leaves the queue at once; a processing one is marked canceled and its run aborted. */
  async cancel(id: string, reason: CancelReason) {
    const task = this.opts.store.get(id);
    if (!task) throw refuse.taskNotFound();
    if (isTerminal(task.status)) throw refuse.taskFinished(task.status);
    if (task.status === "pending") this.queue.remove(id);
    this.move(id, "canceled", { cancelReason: reason, input: undefined });
    this.runs.get(id)?.abort();
    return this.snapshot(task);
  }

  async waitForTerminal(id: string, ms: number): Promise<TaskSnapshot | undefined> {
    const task = this.opts.store.get(id);
    if (task && !isTerminal(task.status)) {
      await untilEvent((l) => this.subscribe(l), (e) => e.type !== "transition" || (e.id === id && isTerminal(e.status)), this.opts.clock, ms);
    }
    return this.find(id);
  }

  subscribe(listener: Parameters<EventHub["subscribe"]>[0]) {
    return this.events.subscribe(listener);
  }

  async health(): Promise<BackendHealth> {
    const workers = this.opts.executor.workers();
    return {
      kind: "embedded",
      connection: "up",
      queueDepth: this.queue.length,
      tasks: this.opts.store.countByStatus(),
      heldBytes: this.opts.store.heldBytes,
      workers,
      inference: { processes: 1, workers: sumWorkers(workers) },
      warmupMs: this.opts.executor.warmupMs,
      clients: { active: this.queue.activeClients, largest: this.queue.largestBacklogs(BACKLOGS_SHOWN) },
    };
  }

  start() {
    this.stopIdle = this.opts.executor.onIdle(() => this.dispatch());
    this.opts.executor.start();
    this.opts.sweeper.start();
  }

  async stop() {
    this.stopIdle();
    this.opts.sweeper.stop();
    this.opts.executor.stop();
  }

  /**
   * Graceful shutdown: accept nothing new, let queued and running tasks finish
   * for up to `timeoutMs`, cancel what is left (reason `shutdown`), then stop
   * the workers. No accepted task is left without a terminal state.
   */
  async drain(timeoutMs: number): Promise<{ canceled: number }> {
    this.draining = true;
    this.opts.sweeper.stop();
    const open = () => {
      const counts = this.opts.store.countByStatus();
      return counts.pending + counts.processing;
    };
    if (open() > 0) await untilEvent((l) => this.subscribe(l), () => open() === 0, this.opts.clock, timeoutMs);
    let canceled = 0;
    for (const task of [...this.opts.store.values()]) {
      if (task.status === "pending" || task.status === "processing") {
        await this.cancel(task.id, "shutdown");
        canceled++;
      }
    }
    await this.stop();
    return { canceled };
  }

  /** Refuses new work the service cannot take now: draining, no model, queue full (for all or this client), or too many bytes held. */
  private check(incomingBytes: number, client: string, count = 1) {
    if (this.draining) throw refuse.draining();
    // Once the model has loaded, uploads queue even while a crashed worker restarts.
    if (!this.models) throw refuse.notReady();
    const counts = { clientBacklog: this.queue.lengthOf(client), pending: this.queue.length, activeClients: this.queue.activeClients, heldBytes: this.opts.store.heldBytes, incomingBytes };
    const refused = refusalFor(counts, this.opts, count);
    if (refused) throw admissionError(refused, this.opts, counts, this.opts.executor.rate());
  }

  private dispatch() {
    const { store, executor, clock } = this.opts;
    while (executor.idleWorkers > 0 && this.queue.length > 0) {
      const task = store.get(this.queue.shift()!);
      if (!task || task.status !== "pending" || !task.input) continue;
      const job = { id: task.id, image: task.input, size: task.size, params: task.params };
      // The upload leaves the store as it goes to the worker: its buffer is transferred.
      this.move(task.id, "processing", { startedAt: clock.now(), input: undefined });
      const run = new AbortController();
      this.runs.set(task.id, run);
      void runDetection(executor, job, run.signal)
        // It resolves with every outcome; a throw would be a bug of ours, and the task must still end.
        .catch((err): JobOutcome => {
          run.abort(); // tiles still queued or running stop
          this.opts.log.error("run failed", { task_id: task.id, error: String(err).slice(0, 300) });
          return { status: "failed", error: taskFailure.inferenceFailed() };
        })
        .then((outcome) => this.settle(task.id, outcome));
    }
  }

  private settle(id: string, outcome: JobOutcome) {
    this.runs.delete(id);
    const task = this.opts.store.get(id);
    if (task?.status !== "processing" || outcome.status === "canceled") return;
    if (outcome.status === "failed") return this.move(id, "failed", { error: outcome.error }, { worker: outcome.worker });
    const queue = (task.startedAt ?? task.createdAt) - task.createdAt;
    this.move(id, "completed", { result: { ...outcome.result, timings: { queue, ...outcome.result.timings } } }, { worker: outcome.worker });
  }

  private move(id: string, to: TaskStatus, patch: TransitionPatch, context: TransitionContext = {}) {
    if (isTerminal(to)) this.tiled.remove(id);
    this.announce(this.opts.store.transition(id, to, this.opts.clock.now(), patch), context);
  }

  /** One log line and one event per transition (and on creation). */
  private announce(task: Task, context: TransitionContext) {
    logTransition(this.opts.log, task, context);
    // Queued in the same step as the move, so no event is missed; the dispatcher hears the transition below.
    this.opts.deliveries.onTransition(task, this.opts.clock.now());
    this.events.emit({
      type: "transition",
      id: task.id,
      status: task.status,
      ...(task.status === "processing" && task.startedAt !== undefined ? { queueMs: task.startedAt - task.createdAt } : {}),
      ...(task.status === "completed" && task.result ? { timings: task.result.timings, ...(task.result.model ? { model: task.result.model } : {}) } : {}),
    });
  }

  private snapshot(task: Task): TaskSnapshot {
    const queuePosition = task.status === "pending" ? this.queue.positionOf(task.id) : 0;
    const [rate, now] = [this.opts.executor.rate(task.params.model), this.opts.clock.now()];
    const ahead = task.status === "pending" ? extraRunsAhead(this.tiled.list((id) => this.opts.store.get(id), (id) => this.queue.positionOf(id)), { position: queuePosition, createdAt: task.createdAt }, rate, now) : 0;
    return { task, queuePosition, etaMs: etaMs(task, queuePosition, rate, now, runsOf(task, this.models), ahead, inputScaleOf(task, this.models)) };
  }
}
