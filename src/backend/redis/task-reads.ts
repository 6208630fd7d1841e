import type Redis from "ioredis";
import { defineScripts } from "./define-scripts";
import { READ_TASKS } from "./fair-scripts";
import type { RedisKeys } from "./keys";

/** A task's record as HGETALL gives it (empty when there is none), and its fair position (0 unless pending). */
export interface RawTask {
  record: Record<string, string>;
  position: number;
}

interface ReadRedis extends Redis {
  yoloReadTasks(...args: string[]): Promise<(string[] | number)[]>;
}

/** Most ids in one script call: each costs a record and a walk of the turns, and Redis runs nothing else meanwhile. */
const MOST_PER_CALL = 100;

/**
 * Reads of task records and positions, folded: the reads asked for in one
 * moment (one turn of the event loop) go to Redis as one READ_TASKS call.
 * Why: on every transition that takes a task off the queue, the event stream
 * of every pending task re-reads its task at once (task-events.ts), ~30 reads
 * per image under the compare bench's 32 clients; one call each, as a
 * pipeline, cost the API replica a pipeline object, a socket write and a
 * script run per read. Folded, they are one of each. Every read still sees
 * Redis as it is after the moment it was asked for.
 */
export class TaskReads {
  private readonly redis: ReadRedis;
  /** ids asked for since the last call went out, each with who waits for it */
  private waiting?: Map<string, { resolve(raw: RawTask): void; reject(err: unknown): void }[]>;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.redis = redis as ReadRedis;
    defineScripts(redis, { yoloReadTasks: { keys: 1, lua: READ_TASKS } });
  }

  /** One task, in the next call (shared with every other read of this moment). */
  read(id: string): Promise<RawTask> {
    if (!this.waiting) {
      this.waiting = new Map();
      queueMicrotask(() => this.flush());
    }
    const waiters = this.waiting.get(id) ?? [];
    this.waiting.set(id, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /** One task, sent now: a command sent right after it is answered after it. */
  async readNow(id: string): Promise<RawTask> {
    return (await this.call([id]))[0];
  }

  private flush() {
    const waiting = this.waiting!;
    this.waiting = undefined;
    const ids = [...waiting.keys()];
    for (let i = 0; i < ids.length; i += MOST_PER_CALL) {
      const part = ids.slice(i, i + MOST_PER_CALL);
      this.call(part).then(
        (raws) => part.forEach((id, n) => waiting.get(id)!.forEach((w) => w.resolve(raws[n]))),
        (err) => part.forEach((id) => waiting.get(id)!.forEach((w) => w.reject(err))),
      );
    }
  }

  private async call(ids: string[]): Promise<RawTask[]> {
    const flat = await this.redis.yoloReadTasks(this.keys.turns, this.keys.lanePrefix, this.keys.taskPrefix, ...ids);
    const out: RawTask[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const pairs = flat[i] as string[];
      const record: Record<string, string> = {};
      for (let f = 0; f < pairs.length; f += 2) record[pairs[f]] = pairs[f + 1];
      out.push({ record, position: Number(flat[i + 1]) });
    }
    return out;
  }
}
