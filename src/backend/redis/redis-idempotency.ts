import type Redis from "ioredis";
import { refuse } from "../../domain/errors";
import { HOLD_MS, type IdempotencyStore, type Reservation } from "../idempotency";
import type { RedisKeys } from "./keys";
import { RELEASE_KEY, RESERVE_KEY } from "./webhook-scripts";
import { defineScripts } from "./define-scripts";

interface ScriptedRedis extends Redis {
  yoloReserveKey(...args: (string | number)[]): Promise<string[]>;
  yoloReleaseKey(...args: string[]): Promise<number>;
}

/** Idempotency keys in Redis: one hash per client and key, reserved by a script so two replicas cannot both take it. */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {
    this.redis = redis as ScriptedRedis;
    defineScripts(redis, { yoloReserveKey: { keys: 1, lua: RESERVE_KEY }, yoloReleaseKey: { keys: 1, lua: RELEASE_KEY } });
  }

  /** Client and key hashed: a key name of fixed length whatever the client sends. */
  private keyOf(client: string, key: string) {
    return this.keys.idempotency(new Bun.CryptoHasher("sha256").update(client).update("\n").update(key).digest("hex"));
  }

  async reserve(client: string, key: string, fingerprint: string): Promise<Reservation> {
    // Redis away: the same 503 as an upload without a key would get.
    const [kind, taskId, status] = await this.redis.yoloReserveKey(this.keyOf(client, key), fingerprint, HOLD_MS).catch(() => {
      throw refuse.backendUnavailable();
    });
    if (kind === "replay") return { kind, taskId, status: Number(status) };
    return { kind: kind as "new" | "conflict" | "in_progress" };
  }

  async complete(client: string, key: string, taskId: string, status: number) {
    await this.redis.multi().hset(this.keyOf(client, key), "task", taskId, "status", status).pexpire(this.keyOf(client, key), this.ttlMs).exec();
  }

  async release(client: string, key: string) {
    await this.redis.yoloReleaseKey(this.keyOf(client, key));
  }
}
