import type { DetectParams } from "../domain/task";
import type { ModelInfo } from "../model/model-info";
import type { FromWorker, ImageSize, PredictInput, ToWorker } from "../worker/protocol";

/**
 * starting → ready ⇄ busy, and any of them → defunct. A defunct slot is never
 * reused: the pool replaces it with a fresh worker.
 */
export type WorkerState = "starting" | "ready" | "busy" | "defunct";

export type WorkerReply = Extract<FromWorker, { type: "result" | "failure" }>;

export interface SlotEvents {
  ready(slot: WorkerSlot, model: ModelInfo, warmupMs: number): void;
  reply(slot: WorkerSlot, reply: WorkerReply): void;
  /** The worker is gone; `inFlight` is the task it was running, if any. */
  defunct(slot: WorkerSlot, reason: string, inFlight: string | undefined): void;
}

export type InitMessage = Extract<ToWorker, { type: "init" }>;

export class WorkerSlot {
  state: WorkerState = "starting";
  inFlight?: string;
  /** set once the model is loaded and warmed: a slot that dies before that failed to start */
  becameReady = false;
  private readonly worker: Worker;
  /** Bun can crash when a worker is terminated before it has answered its first message. */
  private handshakeDone = false;
  private terminated = false;
  /** false while the slot is only reserved: its task not yet posted */
  private sent = false;

  constructor(
    readonly index: number,
    readonly generation: number,
    entry: string | URL,
    init: InitMessage,
    private readonly events: SlotEvents,
  ) {
    this.worker = new Worker(entry);
    this.worker.addEventListener("message", (e: MessageEvent<FromWorker>) => this.onMessage(e.data));
    this.worker.addEventListener("error", (e: ErrorEvent) => this.fail(`worker error: ${e.message || "uncaught exception"}`));
    this.worker.addEventListener("close", () => this.fail("worker exited"));
    this.send(init);
  }

  get id() {
    return `w${this.index}.${this.generation}`;
  }

  /**
   * Sends a task. The slot must be ready, or reserved for this very task
   * while the main thread prepared its input.
   */
  predict(taskId: string, input: PredictInput, size: ImageSize, params: DetectParams) {
    const reserved = this.state === "busy" && this.inFlight === taskId;
    if (this.state !== "ready" && !reserved) throw new Error(`worker ${this.id} is ${this.state}, not ready`);
    const transfer = input.kind === "bytes" ? [input.image] : [input.tensor, input.pixels];
    // Sent first: if the message cannot be posted, the slot's state is unchanged.
    this.send({ type: "predict", taskId, input, size, params }, transfer);
    this.state = "busy";
    this.inFlight = taskId;
    this.sent = true;
  }

  /** Whether `taskId` was posted to the worker (not merely reserved for). */
  hasSent(taskId: string): boolean {
    return this.inFlight === taskId && this.sent;
  }

  /** Holds a ready slot for a task whose input is being prepared elsewhere. */
  reserve(taskId: string) {
    if (this.state !== "ready") throw new Error(`worker ${this.id} is ${this.state}, not ready`);
    this.state = "busy";
    this.inFlight = taskId;
    this.sent = false;
  }

  /** Gives back a reserved slot whose task never got sent. */
  release(taskId: string) {
    if (this.state === "busy" && this.inFlight === taskId) {
      this.state = "ready";
      this.inFlight = undefined;
    }
  }

  /**
   * Gives up on this worker (its task timed out) without killing it mid-run:
   * terminating a thread while onnxruntime or sharp has native work in flight
   * aborts the whole process. It is terminated when it next answers.
   */
  retire(reason: string) {
    if (this.state === "defunct") return;
    this.markDefunct(reason);
  }

  private send(msg: ToWorker, transfer: Transferable[] = []) {
    this.worker.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker) {
    this.handshakeDone = true;
    if (this.state === "defunct") {
      // Retired, or stopped while it started: it is idle now, so stopping it is safe.
      this.terminate();
      return;
    }
    switch (msg.type) {
      case "ready":
        this.state = "ready";
        this.becameReady = true;
        this.events.ready(this, msg.model, msg.warmupMs);
        return;
      case "init_failed":
        this.fail(`model failed to load: ${msg.message}`);
        return;
      case "result":
      case "failure":
        if (msg.taskId !== this.inFlight) return; // a reply for a task already failed by timeout
        this.state = "ready";
        this.inFlight = undefined;
        this.events.reply(this, msg);
        return;
    }
  }

  /** The thread failed (uncaught error, or exited): Bun has already closed it or is closing it. */
  private fail(reason: string) {
    if (this.state === "defunct") return;
    this.markDefunct(reason);
    this.terminate();
  }

  private markDefunct(reason: string) {
    const inFlight = this.inFlight;
    this.state = "defunct";
    this.inFlight = undefined;
    this.events.defunct(this, reason, inFlight);
  }

  get isTerminated() {
    return this.terminated;
  }

  /** Stops the thread; only once, and never before its handshake. */
  terminate() {
    this.state = "defunct";
    if (this.terminated || !this.handshakeDone) return;
    this.terminated = true;
    this.worker.terminate();
  }
}
