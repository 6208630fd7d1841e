import type { DetectParams } from "../domain/task";
import type { ModelInfo } from "../model/model-info";
import type { FromWorker, ToWorker } from "../worker/protocol";

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

  predict(taskId: string, image: ArrayBuffer, params: DetectParams) {
    if (this.state !== "ready") throw new Error(`worker ${this.id} is ${this.state}, not ready`);
    this.state = "busy";
    this.inFlight = taskId;
    this.send({ type: "predict", taskId, image, params }, [image]);
  }

  /** Marks the slot defunct (failing its task through the events) and stops the thread. */
  kill(reason: string) {
    this.fail(reason);
  }

  private send(msg: ToWorker, transfer: Transferable[] = []) {
    this.worker.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker) {
    if (this.state === "defunct") return;
    this.handshakeDone = true;
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

  private fail(reason: string) {
    if (this.state === "defunct") return;
    const inFlight = this.inFlight;
    this.state = "defunct";
    this.inFlight = undefined;
    if (this.handshakeDone) this.worker.terminate();
    this.events.defunct(this, reason, inFlight);
  }

  /** For shutdown: stop the thread without reporting it as a failure. */
  terminate() {
    this.state = "defunct";
    if (this.handshakeDone) this.worker.terminate();
  }
}
