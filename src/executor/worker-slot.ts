import type { ModelInfo } from "../model/model-info";
import type { FromWorker, InitMessage, PredictMessage, PredictRequest, ToWorker, WorkerReply } from "./protocol";
import { IllegalSlotTransition, SLOT_TRANSITIONS, type SlotState } from "./slot-state";

/** What the slot needs of a thread: a Bun Worker, or a fake one in unit tests. */
export interface WorkerPort {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  terminate(): void;
  addEventListener(type: "message", listener: (e: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: "error", listener: (e: ErrorEvent) => void): void;
  addEventListener(type: "close", listener: () => void): void;
}

export type SpawnWorker = () => WorkerPort;

export interface SlotEvents {
  ready(slot: WorkerSlot, models: ModelInfo[], warmupMs: number): void;
  reply(slot: WorkerSlot, reply: WorkerReply): void;
  /**
   * The slot left service (crashed, failed to start, retired or stopped);
   * `inFlight` is the job it held, if any. Said once per slot.
   */
  lost(slot: WorkerSlot, reason: string, inFlight: string | undefined): void;
  /** the worker asked for a line in the log */
  log(slot: WorkerSlot, line: Extract<FromWorker, { type: "log" }>): void;
}

/** One inference worker and its state machine (slot-state.ts). */
export class WorkerSlot {
  private current: SlotState = "starting";
  /** the job posted to the worker, while busy (or retiring with it) */
  inFlight?: string;
  /** set once the model is loaded and warmed: a slot lost before that failed to start */
  becameReady = false;
  private readonly worker: WorkerPort;
  /** Bun can crash when a worker is terminated before it has answered its first message. */
  private answered = false;
  private terminated = false;

  constructor(
    readonly index: number,
    readonly generation: number,
    spawn: SpawnWorker,
    init: InitMessage,
    private readonly events: SlotEvents,
  ) {
    this.worker = spawn();
    this.worker.addEventListener("message", (e) => this.onMessage(e.data));
    this.worker.addEventListener("error", (e) => this.crash(`worker error: ${e.message || "uncaught exception"}`));
    this.worker.addEventListener("close", () => this.crash("worker exited"));
    this.worker.postMessage(init);
  }

  get id() {
    return `w${this.index}.${this.generation}`;
  }

  get state(): SlotState {
    return this.current;
  }

  get isTerminated() {
    return this.terminated;
  }

  /** Posts one image; throws (state unchanged) when the slot is not ready or the message cannot be posted. */
  predict(runId: string, image: ArrayBuffer | SharedArrayBuffer, request: PredictRequest) {
    if (this.current !== "ready") throw new IllegalSlotTransition(this.id, this.current, "busy");
    const message: PredictMessage = { type: "predict", runId, image, ...request };
    // A shared buffer (a tiled upload) is shared by every tile's worker; anything else moves.
    this.worker.postMessage(message, image instanceof ArrayBuffer ? [image] : []);
    this.move("busy");
    this.inFlight = runId;
  }

  /** Gives up on a busy (or starting) worker without killing it mid-run; it is terminated at its next answer. */
  retire(reason: string) {
    if (this.current !== "busy" && this.current !== "starting") return;
    this.move("retiring");
    this.events.lost(this, reason, this.inFlight);
  }

  /** Takes the slot out of service for good: idle workers end now, busy or starting ones retire. */
  stop() {
    if (this.current === "ready") {
      this.move("defunct");
      this.terminate();
    } else {
      this.retire("service stopping");
    }
  }

  private onMessage(msg: FromWorker) {
    // A log line answers nothing: the worker may still be in native code.
    if (msg.type === "log") return this.events.log(this, msg);
    this.answered = true;
    if (this.current === "retiring") {
      // It answered, so no native work is in flight: ending it now is safe.
      this.inFlight = undefined;
      this.move("defunct");
      this.terminate();
      return;
    }
    if (this.current === "defunct") return this.terminate();
    switch (msg.type) {
      case "ready":
        this.move("ready");
        this.becameReady = true;
        return this.events.ready(this, msg.models, msg.warmupMs);
      case "init_failed":
        return this.crash(`model failed to load: ${msg.message}`);
      case "result":
      case "failure":
        if (msg.runId !== this.inFlight) return;
        this.inFlight = undefined;
        this.move("ready");
        return this.events.reply(this, msg);
    }
  }

  /** The thread failed (uncaught error, exit, or no model): Bun has closed it or is closing it. */
  private crash(reason: string) {
    if (this.current === "defunct") return;
    const wasLive = this.current !== "retiring";
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    this.move("defunct");
    this.terminate();
    // A retiring slot was reported lost already.
    if (wasLive) this.events.lost(this, reason, inFlight);
  }

  private move(to: SlotState) {
    if (!SLOT_TRANSITIONS[this.current].includes(to)) throw new IllegalSlotTransition(this.id, this.current, to);
    this.current = to;
  }

  /** Stops the thread; only once, and never before its first answer. */
  private terminate() {
    if (this.terminated || !this.answered) return;
    this.terminated = true;
    this.worker.terminate();
  }
}
