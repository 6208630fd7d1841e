import type Redis from "ioredis";
import type { ModelInfo } from "../../model/model-info";
import type { RedisKeys } from "./keys";
import { HEARTBEAT } from "./scripts";
import { defineScripts } from "./define-scripts";

/** What an inference process tells the API replicas, every second. */
export interface Heartbeat {
  id: string;
  host: string;
  pid: number;
  /** its Bun Workers: how many, how many warm, how many running a task */
  workers: number;
  ready: number;
  busy: number;
  /** moving average of service time per image, once it has finished one: any model's, and each model's */
  serviceMs?: number;
  serviceMsOf?: Record<string, number>;
  warmupMs?: number;
  /** the models it holds (their names): it takes only their tasks */
  models?: string[];
}

/** A process silent this long is no longer counted. */
export const HEARTBEAT_TTL_MS = 5000;

/**
 * Who is consuming the shared queue. Each inference process keeps one key
 * alive with a TTL that Redis enforces, so a killed process drops out by
 * itself and no two hosts' clocks are ever compared; a set lists the ids,
 * and readers prune the ids whose key has expired.
 */
export class InferenceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    defineScripts(redis, { yoloHeartbeat: { keys: 3, lua: HEARTBEAT } });
  }

  /** The process's heartbeat and the models it holds, in one step. */
  async beat(beat: Heartbeat, models: readonly ModelInfo[]): Promise<void> {
    const scripted = this.redis as Redis & { yoloHeartbeat(...args: (string | number)[]): Promise<number> };
    const described = models.flatMap((m) => [m.name, JSON.stringify(m)]);
    await scripted.yoloHeartbeat(this.keys.heartbeat(beat.id), this.keys.inference, this.keys.models, beat.id, JSON.stringify(beat), HEARTBEAT_TTL_MS, ...described);
  }

  async leave(id: string): Promise<void> {
    // A pipeline: Redis refuses a whole MULTI while it is at its maxmemory.
    await this.redis.pipeline().del(this.keys.heartbeat(id)).srem(this.keys.inference, id).exec();
  }

  async alive(): Promise<Heartbeat[]> {
    const ids = await this.redis.smembers(this.keys.inference);
    if (!ids.length) return [];
    const beats = await this.redis.mget(ids.map((id) => this.keys.heartbeat(id)));
    const gone = ids.filter((_, i) => beats[i] === null);
    if (gone.length) await this.redis.srem(this.keys.inference, ...gone);
    return beats.filter((b): b is string => b !== null).map((b) => JSON.parse(b) as Heartbeat);
  }

  /** Every model any inference process has described, by name. */
  async models(): Promise<Map<string, ModelInfo>> {
    const all = await this.redis.hgetall(this.keys.models);
    return new Map(Object.entries(all).map(([name, json]) => [name, JSON.parse(json) as ModelInfo]));
  }
}

/**
 * Service time and parallel lanes across the live inference processes, for
 * ETAs; with `model`, only those that hold it, each at that model's own
 * average where it has one.
 */
export function clusterRate(all: Heartbeat[], model?: string): { serviceMs?: number; warmupMs?: number; lanes: number } {
  const beats = model === undefined ? all : all.filter((b) => b.models?.includes(model));
  const msOf = (b: Heartbeat) => (model === undefined ? undefined : b.serviceMsOf?.[model]) ?? b.serviceMs;
  const lanes = beats.reduce((n, b) => n + b.ready, 0);
  const timed = beats.filter((b) => msOf(b) !== undefined && b.ready > 0);
  const serviceMs = timed.length ? timed.reduce((s, b) => s + msOf(b)! * b.ready, 0) / timed.reduce((n, b) => n + b.ready, 0) : undefined;
  const warm = beats.map((b) => b.warmupMs).filter((x): x is number => x !== undefined);
  return { serviceMs, warmupMs: warm.length ? Math.max(...warm) : undefined, lanes };
}
