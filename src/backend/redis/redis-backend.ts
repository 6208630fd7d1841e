import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { type Cancel, type Clock, systemClock } from "../../domain/clock";
import { DomainError } from "../../domain/errors";
import { backlogSeconds, etaMs, type Rate } from "../../domain/eta";
import { type CancelReason, type DetectParams, isTerminal, type Task, type TaskStatus } from "../../domain/task";
import type { Logger } from "../../util/logger";
import type { BackendHealth, TaskBackend, TaskSnapshot, TransitionEvent } from "../task-backend";
import type { InferenceConsumer } from "./inference-consumer";
import { ClusterView } from "./cluster-view";
import { parseEvent, RedisTaskStore } from "./redis-task-store";

export interface RedisBackendOptions {
  /** commands; created with enableOfflineQueue off, so an outage fails fast instead of queueing */
  redis: Redis;
  /** a second connection, in subscriber mode, for the events channel */
  subscriber: Redis;
  store: RedisTaskStore;
  /** the shared BullMQ queue, once the first connection has been made */
  queue: () => Queue | undefined;
  clock: Clock;
  log: Logger;
  queueMax: number;
  maxStoreBytes: number;
  taskTtlMs: number;
  /** inference in this process too (WORKERS > 0); an API-only replica has none */
  consumer?: InferenceConsumer;
}

/** How often the replica re-reads the cluster (heartbeats, model, totals) and re-checks watched tasks. */
const REFRESH_MS = 1000;

/**
 * The API side on Redis: tasks and the FIFO queue are shared by every
 * replica, inference runs wherever `bun run worker` (or a replica with
 * WORKERS > 0) consumes the BullMQ queue. Transitions arrive on a pub/sub
 * channel; a one-second refresh covers anything missed while Redis was away.
 */
export class RedisBackend implements TaskBackend {
  readonly kind = "redis" as const;
  readonly endsStreamsOnDrain = true;
  draining = false;
  private readonly cluster: ClusterView;
  private readonly changeListeners = new Set<(id: string, status?: TaskStatus) => void>();
  private readonly transitionListeners = new Set<(e: TransitionEvent) => void>();
  private stopRefresh?: Cancel;

  constructor(private readonly opts: RedisBackendOptions) {
    this.cluster = new ClusterView(opts.redis, opts.store, opts.log);
    opts.subscriber.on("error", () => {});
    opts.subscriber.on("message", (_channel: string, message: string) => {
      const event = parseEvent(message);
      if (event) this.emit(event);
    });
  }

  get model() {
    return this.cluster.model ?? this.opts.consumer?.runner.model;
  }

  get workerFailures() {
    return this.opts.consumer?.runner.workerFailures ?? 0;
  }

  notReadyReason(): string | undefined {
    if (this.draining) return "draining: the service is shutting down";
    const problem = this.cluster.redisProblem();
    if (problem) return problem;
    if (!this.model) return "starting: no inference process has loaded the model yet";
    if (!this.cluster.beats.some((b) => b.ready > 0) && !this.opts.consumer?.runner.ready) return "no inference process is ready (uploads still queue)";
    return undefined;
  }

  /**
   * The early, pre-body refusal, from the totals of the last refresh (at most
   * a second old): no round trip per upload. The authoritative check is
   * CREATE_TASK's, atomic in Redis.
   */
  async admit(incomingBytes: number) {
    this.checkState();
    this.checkLimits(this.cluster.totals.pending, this.cluster.totals.inputBytes + incomingBytes);
  }

  async submit(image: Uint8Array, size: Task["size"], params: DetectParams): Promise<TaskSnapshot> {
    this.checkState();
    const now = this.opts.clock.now();
    const task: Task = { id: crypto.randomUUID(), status: "pending", createdAt: now, updatedAt: now, params, size };
    const created = await this.guard(this.opts.store.create(task, image, { queueMax: this.opts.queueMax, maxBytes: this.opts.maxStoreBytes }));
    if (created === "queue_full" || created === "memory_full") throw this.refusal(created);
    try {
      const queue = this.opts.queue();
      if (!queue) throw unavailable();
      // The job carries only the id: the upload is read from the task's own key.
      await queue.add("detect", { id: task.id }, { jobId: task.id });
    } catch {
      // Never reached the queue: withdraw it, so nothing waits for a job that does not exist.
      const error = { code: "backend_unavailable" as const, message: "The task could not be queued." };
      // Only while still pending: after a timed-out add, the job may in fact exist and be running.
      const withdrawn = await this.opts.store.transition(task.id, "failed", now, { error }, { ttlMs: this.opts.taskTtlMs, onlyFrom: ["pending"] }).catch(() => undefined);
      if (withdrawn?.ok) this.opts.log.info("task", { task_id: task.id, status: "failed", error: error.code, backend: "redis" });
      throw unavailable();
    }
    this.opts.log.info("task", { task_id: task.id, status: "pending", queue_depth: created, backend: "redis" });
    return { task, queuePosition: created, etaMs: this.eta(task, created) };
  }

  async find(id: string, { withImage = true } = {}): Promise<TaskSnapshot | undefined> {
    const found = await this.guard(this.opts.store.get(id, { withImage }));
    if (!found) return undefined;
    return { task: found.task, queuePosition: found.position, etaMs: this.eta(found.task, found.position) };
  }

  async cancel(id: string, reason: CancelReason): Promise<TaskSnapshot> {
    const now = this.opts.clock.now();
    const outcome = await this.guard(this.opts.store.transition(id, "canceled", now, { cancelReason: reason }, { ttlMs: this.opts.taskTtlMs }));
    if (!outcome.ok && outcome.current === "missing") throw new DomainError("task_not_found", "No task with this id (it may have expired).");
    if (!outcome.ok) throw new DomainError("task_finished", `The task is already ${outcome.current}.`);
    // A waiting job leaves the queue; a running one is told through the events
    // channel, and its inference process discards the answer.
    if (outcome.from === "pending") await this.opts.queue()?.remove(id).catch(() => 0);
    this.opts.log.info("task", { task_id: id, status: "canceled", reason, backend: "redis" });
    const snap = await this.find(id, { withImage: false });
    if (!snap) throw new DomainError("task_not_found", "No task with this id (it may have expired).");
    return snap;
  }

  waitForTerminal(id: string, ms: number): Promise<TaskSnapshot | undefined> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const check = async () => {
        try {
          const snap = await this.find(id);
          // Draining: answer now with the task as it is (201 and its id), rather than be cut off at exit.
          if (!snap || isTerminal(snap.task.status) || this.draining) done(snap);
        } catch (err) {
          if (!settled) finish(() => reject(err));
        }
      };
      const finish = (then: () => void) => {
        if (settled) return;
        settled = true;
        stopTimer();
        unsubscribe();
        then();
      };
      const done = (snap: TaskSnapshot | undefined) => finish(() => resolve(snap));
      const stopTimer = this.opts.clock.setTimeout(() => void this.find(id).then(done, (err) => finish(() => reject(err))), ms);
      // The channel's event, or the refresh tick when one was missed.
      const unsubscribe = this.onChange((changed) => {
        if (changed === id || changed === "*") void check();
      });
      void check();
    });
  }

  onChange(listener: (id: string, status?: TaskStatus) => void) {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onTransition(listener: (event: TransitionEvent) => void) {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  async health(): Promise<BackendHealth> {
    await this.cluster.refresh();
    const { totals, beats } = this.cluster;
    return {
      backend: "redis",
      connection: this.cluster.up ? "up" : "down",
      queueDepth: totals.pending,
      tasks: { pending: totals.pending, processing: totals.processing },
      heldBytes: totals.inputBytes,
      workers: this.opts.consumer?.runner.workers() ?? [],
      inferenceProcesses: beats.length,
      inferenceWorkers: {
        total: beats.reduce((n, b) => n + b.workers, 0),
        warm: beats.reduce((n, b) => n + b.ready, 0),
        busy: beats.reduce((n, b) => n + b.busy, 0),
      },
      warmupMs: this.cluster.rate.warmupMs ?? this.opts.consumer?.runner.warmupMs,
    };
  }

  start() {
    void this.opts.subscriber.subscribe(this.opts.store.keys.events).catch((err) => this.opts.log.error("redis subscribe failed", { error: String(err) }));
    this.opts.consumer?.start();
    void this.cluster.refresh();
    // Real time, whatever clock the tasks run on: this is I/O upkeep, not task timing.
    this.stopRefresh = systemClock.setInterval(() => {
      void this.cluster.refresh();
      // Watchers re-read once a second, so an event lost in an outage only delays them.
      if (this.changeListeners.size) for (const l of [...this.changeListeners]) l("*");
    }, REFRESH_MS);
  }

  async stop() {
    this.stopRefresh?.();
    await this.opts.consumer?.stop();
  }

  /**
   * The tasks belong to the cluster, not to this replica: it stops taking
   * uploads and lets its own inference (if any) finish what it holds. What
   * cannot finish in time is taken over by another inference process once
   * its job lock lapses; nothing is canceled.
   */
  async drain(timeoutMs: number) {
    this.draining = true;
    // Waiting requests and event streams answer now and end; clients poll or reconnect elsewhere.
    for (const l of [...this.changeListeners]) l("*");
    await this.opts.consumer?.drain(timeoutMs);
    this.stopRefresh?.();
    return { canceled: 0 };
  }

  private checkState() {
    if (this.draining) throw new DomainError("draining", "The service is shutting down; try another replica or later.", undefined, 5);
    if (!this.cluster.up) throw unavailable();
    if (!this.model) throw new DomainError("not_ready", "The model is still loading; try again shortly.", undefined, 2);
  }

  private checkLimits(pending: number, bytes: number) {
    if (pending >= this.opts.queueMax) throw this.refusal("queue_full");
    if (bytes > this.opts.maxStoreBytes) throw this.refusal("memory_full");
  }

  private refusal(code: "queue_full" | "memory_full") {
    const detail =
      code === "queue_full" ? `The queue is full (${this.opts.queueMax} tasks waiting); retry later.` : "The service holds as much image data as it may; retry later.";
    return new DomainError(code, detail, undefined, this.backlogSeconds());
  }

  private rate(): Rate {
    const rate = this.cluster.rate;
    // A replica that also runs inference counts its own workers before its first heartbeat.
    const own = this.opts.consumer?.runner;
    return rate.lanes > 0 || !own ? rate : { serviceMs: own.serviceMs, warmupMs: own.warmupMs, lanes: own.warmWorkers };
  }

  private backlogSeconds(): number {
    return backlogSeconds(this.cluster.totals.pending, this.rate());
  }

  private eta(task: Task, position: number): number | undefined {
    return etaMs(task, position, this.rate(), this.opts.clock.now());
  }

  private emit(event: TransitionEvent) {
    for (const l of [...this.transitionListeners]) l(event);
    for (const l of [...this.changeListeners]) l(event.id, event.status);
  }

  /** Any Redis failure becomes one clear 503; our own domain errors pass through. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // Redis at its maxmemory refuses writes: that is backpressure, not an outage.
      if (err instanceof Error && /\bOOM\b/.test(err.message)) {
        throw new DomainError("memory_full", "The task store is full; retry later.", undefined, this.backlogSeconds());
      }
      // Refused, or timed out on a Redis that hangs: down until the next refresh gets an answer.
      // (An error answer, by contrast, came from a Redis that is up.)
      if (!(err instanceof Error && err.name === "ReplyError")) this.cluster.markDown();
      throw unavailable();
    }
  }
}

function unavailable() {
  return new DomainError("backend_unavailable", "The task store (Redis) cannot be reached; retry shortly.", undefined, 2);
}
