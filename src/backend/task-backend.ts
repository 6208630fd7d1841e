import type { CancelReason, DetectParams, ImageSize, Task, TaskStatus, Timings } from "../domain/task";
import type { WorkerStatus } from "../executor/worker-pool";
import type { ModelInfo } from "../model/model-info";
import type { DeliveryState, WebhookRequest } from "../domain/webhook";
import type { DeliveryQueue } from "../webhook/delivery-queue";
import type { IdempotencyStore } from "./idempotency";
import type { Backlog } from "../queue/fair-queue";

export type { Backlog };

/** How many of the largest per-client backlogs /health and /metrics show. */
export const BACKLOGS_SHOWN = 5;

/** A task as a client sees it at one moment: the record plus where it stands in the queue. */
export interface TaskSnapshot {
  task: Task;
  /** 1-based place in the (shared) queue while pending; 0 otherwise */
  queuePosition: number;
  /** expected milliseconds until the task finishes; undefined once it has */
  etaMs?: number;
  /** its webhook deliveries so far, when it has a webhook */
  deliveries?: DeliveryState[];
}

/**
 * The one stream of what happens to tasks, whichever backend holds them:
 * - `transition`: a task moved (here, or on any replica sharing the queue);
 * - `resync`: events may have been missed (a Redis outage): re-read what you follow;
 * - `closing`: this process stops serving its tasks' events (a Redis replica
 *   draining; the tasks go on elsewhere): answer now, end streams.
 */
export type TaskEvent =
  | {
      type: "transition";
      id: string;
      status: TaskStatus;
      /** ms from upload to a worker taking it (on processing) */
      queueMs?: number;
      /** per-phase timings (on completed) */
      timings?: Timings;
      /** the model that answered (on completed) */
      model?: string;
    }
  | { type: "resync" }
  | { type: "closing" };

export type TransitionEvent = Extract<TaskEvent, { type: "transition" }>;

export type BackendKind = "embedded" | "redis";

/** What /health and /metrics show of a backend; the same fields on both. */
export interface BackendHealth {
  kind: BackendKind;
  /** the task store's connection; the in-memory store is always up */
  connection: "up" | "down";
  queueDepth: number;
  /** tasks by status, where the store knows them (Redis lets finished tasks expire on their own) */
  tasks: Partial<Record<TaskStatus, number>>;
  heldBytes: number;
  /** this process's inference workers (none on an API-only replica) */
  workers: WorkerStatus[];
  /** everything that runs this queue's tasks: 1 process when embedded, every live inference process on Redis */
  inference: { processes: number; workers: { total: number; warm: number; busy: number } };
  /** how long the model's warm-up run took */
  warmupMs?: number;
  /** clients with tasks waiting, and the largest backlogs (at most BACKLOGS_SHOWN, most first) */
  clients: { active: number; largest: Backlog[] };
}

/**
 * Where tasks live and how they reach a model: the one seam the HTTP layer
 * talks to. The embedded backend keeps them in this process (a Map, the fair
 * queue and the executor's Bun Workers); the Redis backend shares them between
 * replicas (records and fair lanes in Redis, BullMQ's queue for the slots). Both give the same answers and the same error codes.
 */
export interface TaskBackend {
  readonly kind: BackendKind;
  /** the detectors the tasks run on, the default first (src/model/catalogue.ts picks one); undefined until known */
  readonly models: ModelInfo[] | undefined;
  /** whether a warm worker holds this model now (on Redis: some live inference process) */
  holds(model: string): boolean;
  readonly draining: boolean;
  /** set once this process has sent `closing`: it no longer follows its tasks, which go on elsewhere */
  readonly closing: boolean;
  /** why /health/ready should say no, or undefined */
  notReadyReason(): string | undefined;
  /**
   * Refuses work that cannot be taken now, from the declared size, before the
   * body is read. `client` is who sends it (see http/client-identity.ts): its
   * own backlog is checked against CLIENT_QUEUE_MAX. `count`: the tasks the
   * request would make (several images), all admitted or none.
   */
  admit(incomingBytes: number, client: string, count?: number): Promise<void>;
  /** admits (again, atomically) and queues in the client's lane of the fair queue */
  submit(image: Uint8Array, size: ImageSize, params: DetectParams, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot>;
  /** webhook events waiting for their attempts; filled at the transitions that cause them */
  readonly deliveries: DeliveryQueue;
  /** Idempotency-Key reservations, atomic wherever the tasks live */
  readonly idempotency: IdempotencyStore;
  /** the task, with its annotated JPEG only when `withImage` (default true) */
  find(id: string, opts?: { withImage?: boolean }): Promise<TaskSnapshot | undefined>;
  /**
   * A backend that holds its tasks in this process answers a poll at once,
   * without a promise of its own (~2 µs less on the hottest route); undefined
   * means: ask find().
   */
  findHeld?(id: string): TaskSnapshot | undefined;
  cancel(id: string, reason: CancelReason): Promise<TaskSnapshot>;
  /** resolves once the task is terminal, or with its current state after `ms` (or at once when closing) */
  waitForTerminal(id: string, ms: number): Promise<TaskSnapshot | undefined>;
  subscribe(listener: (event: TaskEvent) => void): () => void;
  health(): Promise<BackendHealth>;
  /** local workers replaced after a crash or timeout, for metrics */
  readonly workerFailures: number;
  /** starts the backend and its housekeeping (expiry of finished tasks, or the lost-job reconciler) */
  start(): void;
  /** stops everything it started and closes its connections */
  stop(): Promise<void>;
  /** stop taking work, give open work `timeoutMs`, then stop */
  drain(timeoutMs: number): Promise<{ canceled: number }>;
}

/** The workers of one process, summed as `BackendHealth.inference` counts them. */
export function sumWorkers(workers: readonly WorkerStatus[]) {
  return {
    total: workers.length,
    warm: workers.filter((w) => w.state === "ready" || w.state === "busy").length,
    busy: workers.filter((w) => w.state === "busy").length,
  };
}
