import type Redis from "ioredis";
import type { ModelInfo } from "../../model/model-info";
import type { RedisKeys } from "./keys";

/** What an inference process tells the API replicas, a few times a second. */
export interface Heartbeat {
  id: string;
  host: string;
  pid: number;
  /** its Bun Workers: how many, how many warm, how many running a task */
  workers: number;
  ready: number;
  busy: number;
  /** moving average of service time per image, once it has finished one */
  serviceMs?: number;
  warmupMs?: number;
  /** ms since epoch after which a silent process counts as gone */
  expiresAt: number;
}

/**
 * Who is consuming the shared queue. Each inference process writes its
 * heartbeat into one hash; readers ignore and prune the expired ones, so a
 * killed process drops out without anyone cleaning up after it.
 */
export class InferenceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async beat(beat: Heartbeat): Promise<void> {
    await this.redis.hset(this.keys.inference, beat.id, JSON.stringify(beat));
  }

  async leave(id: string): Promise<void> {
    await this.redis.hdel(this.keys.inference, id);
  }

  async alive(now: number): Promise<Heartbeat[]> {
    const all = await this.redis.hgetall(this.keys.inference);
    const alive: Heartbeat[] = [];
    const stale: string[] = [];
    for (const [id, json] of Object.entries(all)) {
      const beat = JSON.parse(json) as Heartbeat;
      if (beat.expiresAt > now) alive.push(beat);
      else if (beat.expiresAt < now - 60_000) stale.push(id);
    }
    if (stale.length) await this.redis.hdel(this.keys.inference, ...stale);
    return alive;
  }

  async publishModel(model: ModelInfo): Promise<void> {
    await this.redis.set(this.keys.model, JSON.stringify(model));
  }

  async model(): Promise<ModelInfo | undefined> {
    const json = await this.redis.get(this.keys.model);
    return json ? (JSON.parse(json) as ModelInfo) : undefined;
  }
}

/** Service time and parallel lanes across all live inference processes, for ETAs. */
export function clusterRate(beats: Heartbeat[]): { serviceMs?: number; warmupMs?: number; lanes: number } {
  const lanes = beats.reduce((n, b) => n + b.ready, 0);
  const timed = beats.filter((b) => b.serviceMs !== undefined && b.ready > 0);
  const serviceMs = timed.length ? timed.reduce((s, b) => s + b.serviceMs! * b.ready, 0) / timed.reduce((n, b) => n + b.ready, 0) : undefined;
  const warm = beats.map((b) => b.warmupMs).filter((x): x is number => x !== undefined);
  return { serviceMs, warmupMs: warm.length ? Math.max(...warm) : undefined, lanes };
}
