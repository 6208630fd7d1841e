import type { Clock } from "../domain/clock";

/**
 * What an Idempotency-Key stands for, per client:
 * - `new`: first use; the caller now holds the key and must `complete` or `release` it;
 * - `replay`: answered before, with this task and status;
 * - `conflict`: used before with a different request;
 * - `in_progress`: the same request is being answered right now.
 */
export type Reservation =
  | { kind: "new" }
  | { kind: "replay"; taskId: string; status: number }
  | { kind: "conflict" }
  | { kind: "in_progress" };

/**
 * Idempotency keys, atomic wherever the tasks live. A key is scoped to its
 * client and bound to the request's fingerprint; it lives `ttlMs` (TASK_TTL_S)
 * from its first answer. A reservation whose request died unanswered lapses
 * after HOLD_MS, so a key is never stuck.
 */
export interface IdempotencyStore {
  reserve(client: string, key: string, fingerprint: string): Promise<Reservation>;
  /** the request was answered with `status` for `taskId`: replays answer the same */
  complete(client: string, key: string, taskId: string, status: number): Promise<void>;
  /** the request was refused before a task existed: the key is free again */
  release(client: string, key: string): Promise<void>;
}

/**
 * Longest a reservation waits for its answer: the intake, its URLs fetched
 * (together, within IMAGE_URL_TIMEOUT_MS, at most 60 s) and a `Prefer: wait`
 * of at most 60 s, with room.
 */
export const HOLD_MS = 180_000;

interface Entry {
  fingerprint: string;
  taskId?: string;
  status?: number;
  expiresAt: number;
}

/** The embedded store: a Map, swept of expired keys at most once a second. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private sweptAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async reserve(client: string, key: string, fingerprint: string): Promise<Reservation> {
    const now = this.clock.now();
    this.sweep(now);
    const id = `${client}\n${key}`;
    const entry = this.entries.get(id);
    if (!entry || entry.expiresAt <= now) {
      this.entries.set(id, { fingerprint, expiresAt: now + HOLD_MS });
      return { kind: "new" };
    }
    if (entry.fingerprint !== fingerprint) return { kind: "conflict" };
    if (entry.taskId === undefined) return { kind: "in_progress" };
    return { kind: "replay", taskId: entry.taskId, status: entry.status! };
  }

  async complete(client: string, key: string, taskId: string, status: number) {
    const entry = this.entries.get(`${client}\n${key}`);
    if (entry) Object.assign(entry, { taskId, status, expiresAt: this.clock.now() + this.ttlMs });
  }

  async release(client: string, key: string) {
    const id = `${client}\n${key}`;
    if (this.entries.get(id)?.taskId === undefined) this.entries.delete(id);
  }

  private sweep(now: number) {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [id, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(id);
  }
}
