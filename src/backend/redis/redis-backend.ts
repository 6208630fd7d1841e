import type { Queue } from "bullmq";
import type Redis from "ioredis";
import { type Cancel, type Clock, systemClock } from "../../domain/clock";
import { DomainError, refuse } from "../../domain/errors";
import { backlogSeconds, etaMs, extraRunsAhead, type Rate } from "../../domain/eta";
import { type CancelReason, type DetectParams, type ImageSize, type Task } from "../../domain/task";
import { logTransition } from "../../domain/task-log";
import type { InferenceStats } from "../../executor/executor";
import { inputScaleOf, runsOf } from "../../executor/tiled-detection";
import type { ModelInfo } from "../../model/model-info";
import { modelFor } from "../../model/catalogue";
import type { Logger } from "../../util/logger";
import type { WebhookRequest } from "../../domain/webhook";
import type { DeliveryQueue } from "../../webhook/delivery-queue";
import type { Companion } from "../backend-deps";
import type { IdempotencyStore } from "../idempotency";
import { type AdmissionRefusal, admissionError, refusalFor } from "../admission";
import { EventHub } from "../event-hub";
import type { BackendHealth, TaskBackend, TaskEvent, TaskSnapshot } from "../task-backend";
import { ClusterView } from "./cluster-view";
import { FairLanes } from "./fair-lanes";
import { waitForTerminal } from "./wait-for-terminal";
import { queueSlotToken } from "./slot-token";
import { parseEvent, type RedisTaskStore } from "./redis-task-store";

export interface RedisBackendOptions {
  /** commands; created with enableOfflineQueue off, so an outage fails fast instead of queueing */
  redis: Redis;
  /** a second connection, in subscriber mode, for the events channel */
  subscriber: Redis;
  store: RedisTaskStore;
  /** a model's BullMQ queue (its slot tokens), once the first connection has been made */
  queue: (model: string) => Queue | undefined;
  /** the models this replica was told of (MODELS), the default first: it orders the catalogue */
  configured: readonly string[];
  clock: Clock;
  log: Logger;
  queueMax: number;
  clientQueueMax: number;
  maxStoreBytes: number;
  taskTtlMs: number;
  /** inference in this process too (WORKERS > 0), counted before its first heartbeat */
  local?: InferenceStats;
  companions: Companion[];
  deliveries: DeliveryQueue;
  idempotency: IdempotencyStore;
  /** closes the queue and every connection, once everything has stopped */
  close(): Promise<void>;
}

/** How often the replica re-reads the cluster (heartbeats, model, totals) and tells watchers to re-read. */
const REFRESH_MS = 1000;

/**
 * The API side on Redis: tasks and the fair queue are shared by every
 * replica, inference runs wherever `bun run inference` (or a replica with
 * WORKERS > 0) consumes the BullMQ queue. Transitions arrive on a pub/sub
 * channel; a one-second resync covers anything missed while Redis was away.
 */
export class RedisBackend implements TaskBackend {
  readonly kind = "redis" as const;
  draining = false;
  closing = false;
  private readonly cluster: ClusterView;
  private readonly lanes: FairLanes;
  private readonly events = new EventHub();
  private stopRefresh?: Cancel;

  readonly deliveries: DeliveryQueue;
  readonly idempotency: IdempotencyStore;

  constructor(private readonly opts: RedisBackendOptions) {
    ({ deliveries: this.deliveries, idempotency: this.idempotency } = opts);
    this.cluster = new ClusterView(opts.redis, opts.store, opts.log);
    this.lanes = new FairLanes(opts.redis, opts.store.keys);
    opts.subscriber.on("error", () => {});
    opts.subscriber.on("message", (_channel: string, message: string) => {
      const event = parseEvent(message);
      if (event) this.events.emit(event);
    });
  }

  /** What the inference processes (and this replica's own workers) have described, the default first (ClusterView.catalogue). */
  get models(): ModelInfo[] | undefined {
    return this.cluster.catalogue(this.opts.local?.models, this.opts.configured);
  }

  /** A live inference process holds it (or this replica's own warm workers do). */
  holds(model: string) {
    return this.cluster.holds(model) || Boolean(this.opts.local?.ready && this.opts.local.models?.some((m) => m.name === model));
  }

  get workerFailures() {
    return this.opts.local?.failures ?? 0;
  }

  notReadyReason(): string | undefined {
    if (this.draining) return "draining: the service is shutting down";
    const problem = this.cluster.redisProblem();
    if (problem) return problem;
    if (!this.models) return "starting: no inference process has loaded a model yet";
    if (!this.cluster.beats.some((b) => b.ready > 0) && !this.opts.local?.ready) return "no inference process is ready (uploads for the models live processes hold still queue)";
    return undefined;
  }

  /**
   * The early, pre-body refusal, from the totals of the last refresh (at most
   * a second old), plus one LLEN for the client's own backlog, so a flood is
   * refused before its bodies are read. The authoritative check is
   * CREATE_TASK's, atomic in Redis.
   */
  async admit(incomingBytes: number, client: string, count = 1) {
    this.checkState();
    // Several tasks at once are checked on fresh totals: a second-old count could let a request in that then fails part-way.
    if (count > 1) await this.cluster.refresh();
    const clientBacklog = await this.guard(this.lanes.backlogOf(client));
    const { pending, inputBytes } = this.cluster.totals;
    const refused = refusalFor({ clientBacklog, pending, activeClients: this.cluster.clients.active, heldBytes: inputBytes, incomingBytes }, this.opts, count);
    if (refused) throw this.refusal(refused);
  }

  async submit(image: Uint8Array, size: ImageSize, params: DetectParams, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot> {
    this.checkState();
    // Its token goes to its model's queue: with no process holding the model, nothing would ever take it.
    const model = params.model ?? modelFor(this.models, undefined)!.name;
    if (!this.holds(model)) throw refuse.modelUnavailable(model);
    const now = this.opts.clock.now();
    const task = { id: crypto.randomUUID(), status: "pending", createdAt: now, updatedAt: now, params, client, size, ...(webhook ? { webhook } : {}) } satisfies Task;
    const { queueMax, clientQueueMax, maxStoreBytes: maxBytes } = this.opts;
    const created = await this.guard(this.opts.store.create(task, image, { queueMax, maxBytes, clientQueueMax }));
    if (typeof created !== "number") throw this.refusal(created);
    await queueSlotToken(this.opts.queue(model), task, this.opts);
    logTransition(this.opts.log, task, { backend: "redis", queueDepth: created });
    await this.guard(this.cluster.tiled.note(task, runsOf(task, this.models), created));
    return { task, queuePosition: created, etaMs: this.eta(task, created) };
  }

  async find(id: string, { withImage = true } = {}): Promise<TaskSnapshot | undefined> {
    const found = await this.guard(this.opts.store.get(id, { withImage }));
    if (!found) return undefined;
    const deliveries = found.task.webhook ? await this.guard(this.opts.deliveries.statesOf(id)) : undefined;
    return { task: found.task, queuePosition: found.position, etaMs: this.eta(found.task, found.position), ...(deliveries ? { deliveries } : {}) };
  }

  async cancel(id: string, reason: CancelReason): Promise<TaskSnapshot> {
    const now = this.opts.clock.now();
    const outcome = await this.guard(this.opts.store.transition(id, "canceled", now, { cancelReason: reason }, { ttlMs: this.opts.taskTtlMs }));
    if (!outcome.ok && outcome.current === "missing") throw refuse.taskNotFound();
    if (!outcome.ok) throw refuse.taskFinished(outcome.current);
    logTransition(this.opts.log, { id, status: "canceled", cancelReason: reason }, { backend: "redis" });
    const snap = await this.find(id, { withImage: false });
    if (!snap) throw refuse.taskNotFound();
    // A waiting job leaves its model's queue; a running one is told through the events channel, and its inference process aborts it.
    const model = snap.task.params.model ?? modelFor(this.models, undefined)?.name;
    if (outcome.from === "pending" && model) await this.opts.queue(model)?.remove(id).catch(() => 0);
    return snap;
  }

  waitForTerminal(id: string, ms: number): Promise<TaskSnapshot | undefined> {
    return waitForTerminal(this, this.opts.clock, id, ms);
  }

  subscribe(listener: (event: TaskEvent) => void) {
    return this.events.subscribe(listener);
  }

  async health(): Promise<BackendHealth> {
    await this.cluster.refresh();
    return this.cluster.health(this.opts.local);
  }

  start() {
    void this.opts.subscriber.subscribe(this.opts.store.keys.events).catch((err) => this.opts.log.error("redis subscribe failed", { error: String(err) }));
    for (const c of this.opts.companions) c.start();
    void this.cluster.refresh();
    // Real time, whatever clock the tasks run on: this is I/O upkeep, not task timing.
    this.stopRefresh = systemClock.setInterval(() => {
      void this.cluster.refresh();
      // Watchers re-read once a second, so an event lost in an outage only delays them.
      if (this.events.size) this.events.emit({ type: "resync" });
    }, REFRESH_MS);
  }

  async stop() {
    this.stopRefresh?.();
    for (const c of this.opts.companions) await c.stop();
    await this.opts.close();
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
    this.closing = true;
    this.events.emit({ type: "closing" });
    for (const c of this.opts.companions) await (c.drain ? c.drain(timeoutMs) : c.stop());
    this.stopRefresh?.();
    await this.opts.close();
    return { canceled: 0 };
  }

  private checkState() {
    if (this.draining) throw refuse.draining();
    if (!this.cluster.up) throw refuse.backendUnavailable();
    if (!this.models) throw refuse.notReady();
  }

  private refusal(code: AdmissionRefusal) {
    return admissionError(code, this.opts, { pending: this.cluster.totals.pending, activeClients: this.cluster.clients.active }, this.rate());
  }

  /** A replica that also runs inference counts its own workers before its first heartbeat. `model`: the processes that hold it. */
  private rate(model?: string): Rate {
    const rate = this.cluster.rate(model);
    return rate.lanes > 0 || !this.opts.local ? rate : this.opts.local.rate(model);
  }

  private eta(task: Task, position: number): number | undefined {
    const [rate, now] = [this.rate(task.params.model), this.opts.clock.now()];
    const ahead = task.status === "pending" ? extraRunsAhead(this.cluster.tiled.open, { position, createdAt: task.createdAt }, rate, now) : 0;
    return etaMs(task, position, rate, now, runsOf(task, this.models), ahead, inputScaleOf(task, this.models));
  }

  /** Any Redis failure becomes one clear 503; our own domain errors pass through. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    const sentAt = performance.now(); // p's command has just been sent
    try {
      return await p;
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // Redis at its maxmemory refuses writes: that is backpressure, not an outage.
      if (err instanceof Error && /\bOOM\b/.test(err.message)) throw refuse.redisMemoryFull(backlogSeconds(this.cluster.totals.pending, this.rate()));
      // Refused or timed out: down, unless Redis was heard from since (commandFailed); an error answer came from a Redis that is up.
      if (!(err instanceof Error && err.name === "ReplyError")) await this.cluster.commandFailed(sentAt);
      throw refuse.backendUnavailable();
    }
  }
}
