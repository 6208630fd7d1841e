import type Redis from "ioredis";
import { type HeavyTask, heavyTaskOf } from "../../domain/eta";
import type { RedisKeys } from "./keys";
import type { RedisTaskStore } from "./redis-task-store";

/**
 * The cluster's open tiled tasks (more than one model run each), for the ETA
 * of the tasks queued behind them (domain/eta.ts, extraRunsAhead). The
 * replica that accepts one notes its runs in a hash; every replica reads the
 * hash and those tasks' states on its refresh (about once a second) and
 * drops the ones that ended. Few at a time: a tiled task is a large photo
 * sent with `tile`.
 */
export class TiledAhead {
  /** as of the last refresh, and the ones this replica noted since */
  open: HeavyTask[] = [];
  /** noted while a refresh was under way: that refresh's reading may not have them */
  private notedSince: HeavyTask[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly store: RedisTaskStore,
  ) {}

  /**
   * A task just accepted at `position`, with its runs (executor/tiled-detection.ts,
   * runsOf); nothing for a one-run task. This replica counts it at once, the
   * others from their next refresh.
   */
  async note({ id, createdAt }: { id: string; createdAt: number }, runs: number, position: number): Promise<void> {
    if (runs <= 1) return;
    await this.redis.hset(this.keys.tiled, id, runs);
    const task = heavyTaskOf({ id, status: "pending", createdAt }, runs, position)!;
    this.open = [...this.open, task];
    this.notedSince.push(task);
  }

  async refresh(): Promise<void> {
    this.notedSince = [];
    const noted = await this.redis.hgetall(this.keys.tiled);
    const open: HeavyTask[] = [];
    const ended: string[] = [];
    await Promise.all(
      Object.entries(noted).map(async ([id, runs]) => {
        const read = await this.store.get(id, { withImage: false });
        const task = read && heavyTaskOf(read.task, Number(runs), read.position);
        if (task) open.push(task);
        else ended.push(id);
      }),
    );
    if (ended.length) await this.redis.hdel(this.keys.tiled, ...ended);
    this.open = [...open, ...this.notedSince.filter((t) => !open.some((o) => o.id === t.id))];
  }
}
