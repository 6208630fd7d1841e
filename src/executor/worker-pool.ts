import type { Cancel, Clock } from "../domain/clock";
import type { ModelInfo } from "../model/model-info";
import type { InitMessage, WorkerReply } from "./protocol";
import { isWarm, type SlotState } from "./slot-state";
import { type SlotEvents, type SpawnWorker, WorkerSlot } from "./worker-slot";

export interface PoolEvents {
  /** a slot finished its handshake or its job, and can take one */
  available(): void;
  reply(slot: WorkerSlot, reply: WorkerReply): void;
  /** a slot left service; `inFlight` is the job it held, if any */
  lost(slot: WorkerSlot, reason: string, inFlight: string | undefined): void;
  /** a retired worker has not answered within the grace period; it is left to finish */
  stuck(slot: WorkerSlot): void;
  /** a worker asked for a line in the log */
  log: SlotEvents["log"];
  /** every worker failed to load the model before any became ready: nothing will ever run */
  fatal(reason: string): void;
}

/** What /health shows of a worker: never its job id (nothing lists other people's tasks). */
export interface WorkerStatus {
  id: string;
  state: SlotState;
  restarts: number;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** After this long, a retired worker that has not answered is reported as stuck. */
export const RETIRE_GRACE_MS = 30_000;

/**
 * A fixed number of worker slots. A slot that leaves service is replaced by a
 * new worker, after a backoff that grows while workers keep failing to start
 * (a missing model must not become a spawn loop).
 */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly restarts: number[];
  private readonly failedStarts: number[];
  private readonly pendingRespawns = new Set<Cancel>();
  private stopped = false;
  /** what the first worker to load them said of the models, the default first */
  models?: ModelInfo[];
  warmupMs?: number;

  constructor(
    private readonly size: number,
    private readonly spawnWorker: SpawnWorker,
    private readonly init: InitMessage,
    private readonly clock: Clock,
    private readonly events: PoolEvents,
  ) {
    this.restarts = new Array(size).fill(0);
    this.failedStarts = new Array(size).fill(0);
  }

  /**
   * Spawns are staggered: each first worker starts once the one before has
   * answered (ready, or failed), so model loads do not compete for the cores
   * and no thread is ever started beside one still in its handshake.
   */
  start() {
    if (this.size > 0) this.spawn(0, 0);
  }

  idleSlot(): WorkerSlot | undefined {
    return this.slots.find((s) => s.state === "ready");
  }

  get idleCount(): number {
    return this.slots.filter((s) => s.state === "ready").length;
  }

  /** Slots that have loaded the model (idle or working). */
  get warmCount(): number {
    return this.slots.filter((s) => isWarm(s.state)).length;
  }

  /** Every slot, including those whose first worker waits for its turn to start. */
  status(): WorkerStatus[] {
    return Array.from({ length: this.size }, (_, i) => {
      const s = this.slots[i];
      return s ? { id: s.id, state: s.state, restarts: this.restarts[i] } : { id: `w${i}.0`, state: "starting", restarts: 0 };
    });
  }

  /**
   * Replaces a worker whose job timed out. It is stopped when it next
   * answers; one that never does is reported, not killed, since killing a
   * thread inside native code aborts the process.
   */
  retire(slot: WorkerSlot, reason: string) {
    slot.retire(reason);
    this.clock.setTimeout(() => {
      if (!slot.isTerminated) this.events.stuck(slot);
    }, RETIRE_GRACE_MS);
  }

  stop() {
    this.stopped = true;
    for (const cancel of this.pendingRespawns) cancel();
    this.pendingRespawns.clear();
    for (const s of this.slots) s.stop();
  }

  private spawnNextAtStartup(index: number, generation: number) {
    if (generation === 0 && index + 1 < this.size && !this.slots[index + 1] && !this.stopped) this.spawn(index + 1, 0);
  }

  private spawn(index: number, generation: number) {
    const handlers: SlotEvents = {
      ready: (_slot, models, warmupMs) => {
        this.models ??= models;
        this.warmupMs ??= warmupMs;
        this.spawnNextAtStartup(index, generation);
        this.events.available();
      },
      reply: (slot, reply) => {
        this.events.reply(slot, reply);
        this.events.available();
      },
      log: (slot, line) => this.events.log(slot, line),
      lost: (slot, reason, inFlight) => {
        if (this.stopped) return;
        this.spawnNextAtStartup(index, generation);
        this.failedStarts[index] = slot.becameReady ? 0 : this.failedStarts[index] + 1;
        if (!this.models && this.failedStarts.every((n) => n > 0)) this.events.fatal(reason);
        this.events.lost(slot, reason, inFlight);
        this.respawn(index, generation + 1);
      },
    };
    this.slots[index] = new WorkerSlot(index, generation, this.spawnWorker, this.init, handlers);
  }

  private respawn(index: number, generation: number) {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.failedStarts[index]);
    const cancel = this.clock.setTimeout(() => {
      this.pendingRespawns.delete(cancel);
      if (this.stopped) return;
      this.restarts[index] += 1;
      this.spawn(index, generation);
    }, delay);
    this.pendingRespawns.add(cancel);
  }
}
