import type Redis from "ioredis";
import type { Task, TaskStatus } from "../../domain/task";
import type { WebhookEvent } from "../../domain/webhook";
import { defineScripts } from "./define-scripts";
import { READ_TASKS } from "./fair-scripts";
import type { RedisKeys } from "./keys";

/** A task as read, with its fair position (0 unless pending) and how many times it was taken. */
export interface ReadTask {
  task: Task;
  position: number;
  attempts: number;
}

/** One id's answer from READ_TASKS: its record (empty when there is none, or when unchanged), its position. */
interface RawTask {
  record: Record<string, string>;
  position: number;
  /** still pending, as the record this replica holds says */
  unchanged: boolean;
}

interface ReadRedis extends Redis {
  yoloReadTasks(...args: string[]): Promise<(string[] | number)[]>;
}

/** Most ids in one script call: each costs a record and a lane search, and Redis runs nothing else meanwhile. */
const MOST_PER_CALL = 100;
/** Pending tasks whose records are held; the oldest go first past this (the cluster's queue is far smaller by default). */
const MOST_HELD = 4096;

/**
 * Reads of tasks and their positions, folded: the reads asked for in one
 * moment (one turn of the event loop) go to Redis as one READ_TASKS call.
 * Why: on every transition that takes a task off the queue, the event stream
 * of every pending task re-reads its task at once (task-events.ts), ~30 reads
 * per image under the compare bench's 32 clients; one call each, as a
 * pipeline, cost the API replica a pipeline object, a socket write and a
 * script run per read. Folded, they are one of each.
 *
 * A pending task's record never changes while it is pending (every write
 * to it moves it out of pending), so the records of pending tasks are held
 * here: for those, the script only checks they are still pending and gives
 * the position, and nothing is sent back or parsed again.
 */
export class TaskReads {
  private readonly redis: ReadRedis;
  /** ids asked for since the last call went out, each with who waits for it */
  private waiting?: Map<string, { resolve(read: ReadTask | undefined): void; reject(err: unknown): void }[]>;
  /** pending tasks as last read, by id */
  private readonly held = new Map<string, ReadTask>();

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.redis = redis as ReadRedis;
    defineScripts(redis, { yoloReadTasks: { keys: 1, lua: READ_TASKS } });
  }

  /** One task, in the next call (shared with every other read of this moment). */
  read(id: string): Promise<ReadTask | undefined> {
    if (!this.waiting) {
      this.waiting = new Map();
      queueMicrotask(() => this.flush());
    }
    const waiters = this.waiting.get(id) ?? [];
    this.waiting.set(id, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /**
   * One task with its annotated image. The image's GET is sent right behind
   * the record's read, so a record read as completed finds its image.
   */
  async readWithImage(id: string): Promise<ReadTask | undefined> {
    const [[raw], image] = await Promise.all([this.call([id], false), this.redis.getBuffer(this.keys.image(id))]);
    return this.taskOf(id, raw, image) ?? undefined;
  }

  private flush() {
    const waiting = this.waiting!;
    this.waiting = undefined;
    const ids = [...waiting.keys()];
    for (let i = 0; i < ids.length; i += MOST_PER_CALL) {
      const part = ids.slice(i, i + MOST_PER_CALL);
      this.call(part, true)
        .then((raws) =>
          Promise.all(
            part.map(async (id, n) => {
              const read = this.taskOf(id, raws[n]);
              return { id, read: read === null ? await this.readAgain(id) : read };
            }),
          ),
        )
        .then(
          (reads) => reads.forEach(({ id, read }) => waiting.get(id)!.forEach((w) => w.resolve(read))),
          (err) => part.forEach((id) => waiting.get(id)!.forEach((w) => w.reject(err))),
        );
    }
  }

  /** Sent at once (a command sent right after it is answered after it); `useHeld`: say which records are held. */
  private async call(ids: string[], useHeld: boolean): Promise<RawTask[]> {
    const args = ids.flatMap((id) => [id, useHeld && this.held.has(id) ? "1" : "0"]);
    const flat = await this.redis.yoloReadTasks(this.keys.turns, this.keys.lanePrefix, this.keys.taskPrefix, ...args);
    const out: RawTask[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      const pairs = flat[i] as string[];
      const record: Record<string, string> = {};
      for (let f = 0; f < pairs.length; f += 2) record[pairs[f]] = pairs[f + 1];
      out.push({ record, position: Number(flat[i + 1]), unchanged: flat[i + 2] === 1 });
    }
    return out;
  }

  /** The task of one answer; null when it said "unchanged" of a record no longer held (dropped meanwhile). */
  private taskOf(id: string, raw: RawTask, image?: Buffer | null): ReadTask | undefined | null {
    if (raw.unchanged) {
      const held = this.held.get(id);
      return held ? { ...held, position: raw.position } : null;
    }
    const h = raw.record;
    if (!h.status) {
      this.held.delete(id);
      return undefined;
    }
    const read = { task: taskFromRecord(id, h, image), position: raw.position, attempts: Number(h.attempts ?? 0) };
    this.hold(read);
    return read;
  }

  private async readAgain(id: string): Promise<ReadTask | undefined> {
    const [raw] = await this.call([id], false);
    return this.taskOf(id, raw) ?? undefined;
  }

  private hold(read: ReadTask) {
    const id = read.task.id;
    this.held.delete(id);
    if (read.task.status !== "pending") return;
    this.held.set(id, read);
    if (this.held.size > MOST_HELD) this.held.delete(this.held.keys().next().value!);
  }
}

/** A task record as HGETALL gives it, as a Task; the image beside it, when read, goes in its result. */
function taskFromRecord(id: string, h: Record<string, string>, image?: Buffer | null): Task {
  return {
    id,
    status: h.status as TaskStatus,
    createdAt: Number(h.created),
    updatedAt: Number(h.updated),
    params: JSON.parse(h.params),
    ...(h.client ? { client: h.client } : {}),
    size: JSON.parse(h.size),
    ...(h.started ? { startedAt: Number(h.started) } : {}),
    ...(h.result ? { result: { ...JSON.parse(h.result), ...(image ? { annotated: new Uint8Array(image) } : {}) } } : {}),
    ...(h.error ? { error: JSON.parse(h.error) } : {}),
    ...(h.cancel ? { cancelReason: h.cancel as Task["cancelReason"] } : {}),
    ...(h.hook_url ? { webhook: { url: h.hook_url, events: h.hook_events.split(",") as WebhookEvent[] } } : {}),
  };
}
