import type { CancelReason, DetectParams, Task, TaskStatus, Timings } from "../domain/task";
import type { ModelInfo } from "../model/model-info";
import type { WorkerStatus } from "../runner/worker-pool";

/** A task as a client sees it at one moment: the record plus where it stands in the queue. */
export interface TaskSnapshot {
  task: Task;
  /** 1-based place in the (shared) queue while pending; 0 otherwise */
  queuePosition: number;
  /** expected milliseconds until the task finishes; undefined once it has */
  etaMs?: number;
}

/** What metrics need of one transition, wherever it happened. */
export interface TransitionEvent {
  id: string;
  status: TaskStatus;
  /** ms from upload to a worker taking it (on processing) */
  queueMs?: number;
  /** per-phase timings (on completed) */
  timings?: Timings;
}

export type BackendKind = "embedded" | "redis";

export interface BackendHealth {
  backend: BackendKind;
  /** the task store's connection; the in-memory store is always up */
  connection: "up" | "down";
  queueDepth: number;
  /** tasks by status, where the store knows them (Redis lets finished tasks expire on their own) */
  tasks: Partial<Record<TaskStatus, number>>;
  heldBytes: number;
  /** this process's inference workers (none on an API-only replica) */
  workers: WorkerStatus[];
  /** inference processes consuming the shared queue (Redis only) */
  inferenceProcesses?: number;
  /** their Bun Workers, summed over those processes (Redis only) */
  inferenceWorkers?: { total: number; warm: number; busy: number };
  /** how long the model's warm-up run took */
  warmupMs?: number;
}

/**
 * Where tasks live and how they reach a model: the one seam the HTTP layer
 * talks to. The embedded backend keeps them in this process (Map + FIFO +
 * Bun Workers); the Redis backend shares them between replicas through
 * BullMQ. Both give the same answers and the same error codes.
 */
export interface TaskBackend {
  readonly kind: BackendKind;
  /** the detector the tasks run on; undefined until it is known */
  readonly model: ModelInfo | undefined;
  readonly draining: boolean;
  /**
   * Whether open event streams end when this process drains: yes when the
   * tasks outlive the process (Redis; clients reconnect elsewhere), no when
   * the drain brings every task to an end itself (embedded).
   */
  readonly endsStreamsOnDrain: boolean;
  /** why /health/ready should say no, or undefined */
  notReadyReason(): string | undefined;
  /** refuses work that cannot be taken now, from the declared size, before the body is read */
  admit(incomingBytes: number): Promise<void>;
  /** admits (again, atomically) and queues */
  submit(image: Uint8Array, size: Task["size"], params: DetectParams): Promise<TaskSnapshot>;
  /** the task, with its annotated JPEG only when `withImage` (default true) */
  find(id: string, opts?: { withImage?: boolean }): Promise<TaskSnapshot | undefined>;
  cancel(id: string, reason: CancelReason): Promise<TaskSnapshot>;
  /** resolves once the task is terminal, or with its current state after `ms` */
  waitForTerminal(id: string, ms: number): Promise<TaskSnapshot | undefined>;
  /**
   * A cue that a task changed (any transition, any replica), with its new
   * status; id "*" (no status) is a periodic nudge to re-read. Watchers
   * re-read what they follow.
   */
  onChange(listener: (id: string, status?: TaskStatus) => void): () => void;
  onTransition(listener: (event: TransitionEvent) => void): () => void;
  health(): Promise<BackendHealth>;
  /** local workers replaced after a crash or timeout, for metrics */
  readonly workerFailures: number;
  start(): void;
  stop(): Promise<void>;
  /** stop taking work, give open work `timeoutMs`, then stop */
  drain(timeoutMs: number): Promise<{ canceled: number }>;
}
