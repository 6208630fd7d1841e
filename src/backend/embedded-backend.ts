import type { CancelReason, DetectParams, Task, TaskStatus } from "../domain/task";
import type { Runner } from "../runner/runner";
import type { BackendHealth, TaskBackend, TaskSnapshot, TransitionEvent } from "./task-backend";

/**
 * Everything in this process: the runner's Map store, its FIFO queue and its
 * Bun Workers. Each call is synchronous underneath, so admission and queueing
 * stay one atomic step.
 */
export class EmbeddedBackend implements TaskBackend {
  readonly kind = "embedded" as const;
  readonly endsStreamsOnDrain = false;

  constructor(private readonly runner: Runner) {}

  get model() {
    return this.runner.model;
  }

  get draining() {
    return this.runner.draining;
  }

  get workerFailures() {
    return this.runner.workerFailures;
  }

  notReadyReason(): string | undefined {
    if (this.runner.draining) return "draining: the service is shutting down";
    if (!this.runner.model) return "starting: the model is loading";
    if (!this.runner.ready) return "no worker is ready (all are restarting)";
    return undefined;
  }

  async admit(incomingBytes: number) {
    this.runner.admit(incomingBytes);
  }

  async submit(image: Uint8Array, size: Task["size"], params: DetectParams) {
    return this.snapshot(this.runner.submit(image, size, params));
  }

  async find(id: string) {
    const task = this.runner.store.get(id);
    return task && this.snapshot(task);
  }

  async cancel(id: string, reason: CancelReason) {
    return this.snapshot(this.runner.cancel(id, reason));
  }

  async waitForTerminal(id: string, ms: number) {
    await this.runner.waitForTerminal(id, ms);
    return this.find(id);
  }

  onChange(listener: (id: string, status?: TaskStatus) => void) {
    return this.runner.onTransition((task) => listener(task.id, task.status));
  }

  onTransition(listener: (event: TransitionEvent) => void) {
    return this.runner.onTransition((task) =>
      listener({
        id: task.id,
        status: task.status,
        ...(task.status === "processing" && task.startedAt !== undefined ? { queueMs: task.startedAt - task.createdAt } : {}),
        ...(task.status === "completed" && task.result ? { timings: task.result.timings } : {}),
      }),
    );
  }

  async health(): Promise<BackendHealth> {
    return {
      backend: "embedded",
      connection: "up",
      queueDepth: this.runner.queueDepth,
      tasks: this.runner.store.countByStatus(),
      heldBytes: this.runner.store.heldBytes,
      workers: this.runner.workers(),
      warmupMs: this.runner.warmupMs,
    };
  }

  start() {
    this.runner.start();
  }

  async stop() {
    this.runner.stop();
  }

  drain(timeoutMs: number) {
    return this.runner.drain(timeoutMs);
  }

  private snapshot(task: Task): TaskSnapshot {
    const queuePosition = task.status === "pending" ? this.runner.queuePosition(task.id) : 0;
    return { task, queuePosition, etaMs: this.runner.etaMs(task, queuePosition) };
  }
}
