import type Redis from "ioredis";
import { LEGAL_TRANSITIONS, type Task, type TaskStatus, TASK_STATUSES, TERMINAL } from "../../domain/task";
import { type AdmissionRefusal, newcomerReserve } from "../admission";
import type { TransitionEvent } from "../task-backend";

/** A transition as it travels on the events channel (the type is implied). */
type PublishedTransition = Omit<TransitionEvent, "type">;
import type { RedisKeys } from "./keys";
import { CREATE_TASK, FORGET_ORPHAN, TRANSITION } from "./scripts";
import { defineScripts } from "./define-scripts";
import { type ReadTask, TaskReads } from "./task-reads";

/**
 * How long an upload or an annotated JPEG SET ahead of the script that takes
 * it (CREATE_TASK, TRANSITION) lives unless the script keeps it: the script
 * follows at once, so this only bounds what a process that died between the
 * two leaves behind.
 */
const STAGED_MS = 60_000;

/** Fields a transition may set; `annotated` is stored beside the record, not in it. */
export interface RedisPatch {
  startedAt?: number;
  result?: Task["result"];
  error?: Task["error"];
  cancelReason?: Task["cancelReason"];
}

export type TransitionOutcome = { ok: true; from: TaskStatus } | { ok: false; current: TaskStatus | "missing" };

interface ScriptedRedis extends Redis {
  yoloCreate(...args: (string | number | Buffer)[]): Promise<[string, number]>;
  yoloTransition(...args: (string | number | Buffer)[]): Promise<[string, string]>;
  yoloForget(...args: string[]): Promise<number>;
}

/** The statuses a task may move to `to` from, read from the one lifecycle table. */
function sourcesOf(to: TaskStatus): string {
  return TASK_STATUSES.filter((from) => LEGAL_TRANSITIONS[from].includes(to)).join(",");
}

/**
 * Tasks in Redis: one hash per task (its record), the upload and the
 * annotated JPEG as binary strings beside it, two sorted sets of the open
 * ids, and the fair queue (each client's lane of pending ids, and the turns;
 * see fair-scripts.ts and fair-lanes.ts). Moves follow the same lifecycle table as the in-memory store, checked
 * inside Lua so they are atomic across replicas; each move publishes one
 * event on the deployment's channel.
 */
export class RedisTaskStore {
  private readonly redis: ScriptedRedis;
  private readonly reads: TaskReads;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
  ) {
    this.redis = redis as ScriptedRedis;
    this.reads = new TaskReads(redis, keys);
    defineScripts(redis, {
      yoloCreate: { keys: 7, lua: CREATE_TASK },
      yoloTransition: { keys: 7, lua: TRANSITION },
      yoloForget: { keys: 6, lua: FORGET_ORPHAN },
    });
  }

  /**
   * Queues a new task in its client's lane unless the client's lane, the
   * shared queue or the upload bytes are at their cap (the admission rule of
   * backend/admission.ts, made atomic in Lua, naming its refusal the same
   * way); returns its 1-based position under the fair order.
   */
  async create(
    task: Task & { client: string },
    upload: Uint8Array,
    limits: { queueMax: number; maxBytes: number; clientQueueMax: number },
  ): Promise<AdmissionRefusal | number> {
    const k = this.keys;
    // The upload first, as a plain SET (see CREATE_TASK), then the script right behind it on the same connection.
    const staged = this.redis.set(k.input(task.id), Buffer.from(upload.buffer, upload.byteOffset, upload.byteLength), "PX", STAGED_MS);
    const created = this.redis.yoloCreate(
      k.task(task.id), k.pending, k.input(task.id), k.inputBytes, k.seq, k.lane(task.client), k.turns,
      task.id, limits.queueMax, limits.maxBytes,
      k.events, JSON.stringify({ id: task.id, status: "pending" } satisfies PublishedTransition),
      limits.clientQueueMax, task.client, k.lanePrefix, newcomerReserve(limits.queueMax),
      "created", task.createdAt, "updated", task.updatedAt, "params", JSON.stringify(task.params), "size", JSON.stringify(task.size),
      // Read by CLAIM_NEXT: only a job of this model's queue takes it.
      "model", task.params.model ?? "",
      // TRANSITION queues the webhook's events in hook_due as the task moves.
      ...(task.webhook ? ["hook_url", task.webhook.url, "hook_events", task.webhook.events.join(","), "hook_due", k.webhooksDue] : []),
    );
    // A SET that failed (a full Redis: OOM) is the answer; the script then found no upload and did nothing.
    created.catch(() => {});
    await staged;
    const [outcome, position] = await created.catch((err: unknown) => {
      // The SET got in just under maxmemory and the script was refused before any write: drop the
      // upload now, not in a minute. (After a timeout the script may have run: that upload stays.)
      if (err instanceof Error && /\bOOM\b/.test(err.message)) void this.redis.del(k.input(task.id)).catch(() => {});
      throw err;
    });
    // Its SET succeeded, yet the script found nothing: only an expiry of the staged upload could do that.
    if (outcome === "no_upload") throw new Error("the upload was gone before its task was created");
    return outcome === "ok" ? Number(position) : (outcome as AdmissionRefusal);
  }

  /**
   * Moves a task if the lifecycle allows it from where it is now. `retake`
   * lets processing → processing through: a job whose inference process died
   * is taken over by another.
   */
  async transition(
    id: string,
    to: TaskStatus,
    at: number,
    patch: RedisPatch & { annotated?: Uint8Array },
    opts: { ttlMs: number; retake?: boolean; event?: Partial<PublishedTransition>; /** narrower than the lifecycle allows */ onlyFrom?: TaskStatus[] },
  ): Promise<TransitionOutcome> {
    const k = this.keys;
    const from = opts.onlyFrom ? opts.onlyFrom.filter((s) => LEGAL_TRANSITIONS[s].includes(to)).join(",") : opts.retake ? `${sourcesOf(to)},processing` : sourcesOf(to);
    const fields: (string | number)[] = [];
    if (patch.startedAt !== undefined) fields.push("started", patch.startedAt);
    if (patch.result) {
      const { annotated, ...rest } = patch.result;
      fields.push("result", JSON.stringify(rest));
    }
    if (patch.error) fields.push("error", JSON.stringify(patch.error));
    if (patch.cancelReason) fields.push("cancel", patch.cancelReason);
    const image = patch.annotated ?? patch.result?.annotated;
    const { inline, staged } = image ? await this.stageImage(id, image) : { inline: "", staged: "" };
    const [outcome, status] = await this.redis.yoloTransition(
      k.task(id), k.pending, k.processing, k.input(id), k.image(id), k.inputBytes, k.turns,
      id, to, at, from, TERMINAL.has(to) ? opts.ttlMs : 0,
      k.events, JSON.stringify({ ...opts.event, id, status: to } satisfies PublishedTransition),
      inline, k.lanePrefix, k.claimPrefix, staged,
      ...fields,
    );
    if (outcome === "ok") return { ok: true, from: status as TaskStatus };
    return { ok: false, current: outcome === "missing" ? "missing" : (status as TaskStatus) };
  }

  /**
   * The annotated JPEG, SET ahead of TRANSITION under a key of its own (see
   * TRANSITION). A full Redis refuses that SET but still runs TRANSITION
   * (allow-oom), so then the JPEG goes inline, as a finished task must still
   * be stored.
   */
  private async stageImage(id: string, image: Uint8Array): Promise<{ inline: Buffer | ""; staged: string }> {
    const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    const staged = `${this.keys.image(id)}:${crypto.randomUUID()}`;
    try {
      await this.redis.set(staged, bytes, "PX", STAGED_MS);
      return { inline: "", staged };
    } catch (err) {
      if (err instanceof Error && /\bOOM\b/.test(err.message)) return { inline: bytes, staged: "" };
      throw err;
    }
  }

  /**
   * The task and its queue position under the fair order (task-reads.ts).
   * Scripts and plain reads, not MULTI: Redis refuses every command queued
   * in a MULTI while it is at its maxmemory, even reads, and a full Redis
   * must still answer polls.
   */
  get(id: string, { withImage = true } = {}): Promise<ReadTask | undefined> {
    return withImage ? this.reads.readWithImage(id) : this.reads.read(id);
  }

  /** The upload of an open task (gone once the task is terminal). */
  async upload(id: string): Promise<Uint8Array | undefined> {
    const buf = await this.redis.getBuffer(this.keys.input(id));
    return buf ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : undefined;
  }

  /** Waiting and running counts and the bytes of unfinished uploads, in one round trip. */
  async totals(): Promise<{ pending: number; processing: number; inputBytes: number }> {
    const k = this.keys;
    const replies = await this.redis.pipeline().zcard(k.pending).zcard(k.processing).get(k.inputBytes).exec();
    if (!replies) throw new Error("pipeline discarded");
    for (const [err] of replies) if (err) throw err;
    return { pending: replies[0][1] as number, processing: replies[1][1] as number, inputBytes: Number(replies[2][1] ?? 0) };
  }

  /** Open ids with their score (arrival order when pending, start time when processing). */
  async openIds(which: "pending" | "processing"): Promise<{ id: string; score: number }[]> {
    const flat = await this.redis.zrange(which === "pending" ? this.keys.pending : this.keys.processing, 0, -1, "WITHSCORES");
    const out: { id: string; score: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i], score: Number(flat[i + 1]) });
    return out;
  }

  /** Drops open ids whose record is gone, with their uploads and bytes; returns how many. */
  async forgetOrphans(ids: string[]): Promise<number> {
    const k = this.keys;
    const dropped = await Promise.all(ids.map((id) => this.redis.yoloForget(k.task(id), k.pending, k.processing, k.input(id), k.inputBytes, k.turns, id, k.lanePrefix)));
    return dropped.reduce((n, d) => n + d, 0);
  }

  /**
   * When an open task was created and which model it runs on ("" when
   * recorded without one), in one read; undefined without a record (every
   * record has its creation time).
   */
  async openFields(id: string): Promise<{ created: number; model: string } | undefined> {
    const [created, model] = await this.redis.hmget(this.keys.task(id), "created", "model");
    return created === null ? undefined : { created: Number(created), model: model ?? "" };
  }

  /** The BullMQ job that holds a processing task (set when it claimed it). */
  async jobOf(id: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.task(id), "job")) ?? undefined;
  }
}

/** Parses one message from the events channel; anything else on it is ignored. */
export function parseEvent(message: string): TransitionEvent | undefined {
  try {
    const e = JSON.parse(message) as PublishedTransition;
    return typeof e.id === "string" && (TASK_STATUSES as readonly string[]).includes(e.status) ? { ...e, type: "transition" } : undefined;
  } catch {
    return undefined;
  }
}

