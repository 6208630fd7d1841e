import type Redis from "ioredis";
import type { Backlog } from "../../queue/fair-queue";
import { CLAIM_NEXT, CLIENT_STATS } from "./fair-scripts";
import type { RedisKeys } from "./keys";
import { defineScripts } from "./define-scripts";

/** What a BullMQ job found to run when it started. */
export type Claim = { kind: "claimed" | "held"; id: string } | { kind: "none" };

interface FairRedis extends Redis {
  yoloClaim(...args: string[]): Promise<[string, string]>;
  yoloClientStats(...args: (string | number)[]): Promise<(string | number)[]>;
}

/**
 * The fair queue's side of the Redis store. BullMQ's own queue is FIFO (its
 * groups are in the paid edition), so a BullMQ job here is only a slot token:
 * one is added per task, to its model's queue, and BullMQ gives it its lock,
 * stall detection and takeover. When a job starts, it claims the fair-next
 * pending task of its model, whichever task that is; the claim is recorded, so a job taken over after its process
 * died runs that same task again.
 */
export class FairLanes {
  private readonly redis: FairRedis;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
  ) {
    this.redis = redis as FairRedis;
    defineScripts(redis, { yoloClaim: { keys: 4, lua: CLAIM_NEXT }, yoloClientStats: { keys: 1, lua: CLIENT_STATS } });
  }

  /** The task this job holds, or the fair-next pending one of `model` (moved to processing and published), or none. */
  async claim(jobId: string, model: string, now: number): Promise<Claim> {
    const k = this.keys;
    const [kind, id] = await this.redis.yoloClaim(k.claim(jobId), k.turns, k.pending, k.processing, jobId, String(now), k.lanePrefix, k.taskPrefix, k.events, model);
    return kind === "none" ? { kind: "none" } : { kind: kind as "claimed" | "held", id };
  }

  /** The task a job holds, if any. */
  async heldBy(jobId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.claim(jobId))) ?? undefined;
  }

  /** Forgets a job's claim on a task that is gone (its terminal move normally does this). */
  async forget(jobId: string): Promise<void> {
    await this.redis.del(this.keys.claim(jobId));
  }

  /** Tasks one client has pending. */
  async backlogOf(client: string): Promise<number> {
    return this.redis.llen(this.keys.lane(client));
  }

  /** Clients with something pending, and the `n` largest backlogs, most first. */
  async stats(n: number): Promise<{ active: number; largest: Backlog[] }> {
    const [active, ...flat] = await this.redis.yoloClientStats(this.keys.turns, this.keys.lanePrefix, n);
    const largest: Backlog[] = [];
    for (let i = 0; i < flat.length; i += 2) largest.push({ client: String(flat[i]), waiting: Number(flat[i + 1]) });
    return { active: Number(active), largest };
  }
}
