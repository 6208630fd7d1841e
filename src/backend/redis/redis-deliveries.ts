import type Redis from "ioredis";
import { RETRY_DELAYS_MS, type DeliveryOutcome, type DeliveryState, WEBHOOK_EVENTS, WEBHOOK_TIMEOUT_MS, type WebhookEvent, webhookIdOf } from "../../domain/webhook";
import type { AttemptRecord, DeliveryClaim, DeliveryQueue } from "../../webhook/delivery-queue";
import type { RedisKeys } from "./keys";
import { CLAIM_DELIVERIES, RECORD_DELIVERY } from "./webhook-scripts";
import { defineScripts } from "./define-scripts";

/** How long a replica owns an attempt: past one attempt's timeout, so a live replica never loses it mid-attempt. */
export const DELIVERY_LEASE_MS = WEBHOOK_TIMEOUT_MS + 5_000;

interface ScriptedRedis extends Redis {
  yoloClaimDeliveries(...args: (string | number)[]): Promise<[string, string, string, number, string][]>;
  yoloRecordDelivery(...args: (string | number)[]): Promise<number>;
}

/**
 * The delivery queue on Redis, shared by every API replica: a sorted set of
 * due events (TRANSITION adds them) and one hash per event with its state and
 * payload. A replica leases what is due (CLAIM_DELIVERIES); if it dies, the
 * lease lapses and another replica takes the event over.
 */
export class RedisDeliveryQueue implements DeliveryQueue {
  private readonly redis: ScriptedRedis;
  /** kept past the whole schedule, and TASK_TTL_S beyond, for the task view */
  private readonly keepMs: number;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    taskTtlMs: number,
  ) {
    this.redis = redis as ScriptedRedis;
    this.keepMs = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) * 2 + taskTtlMs;
    defineScripts(redis, { yoloClaimDeliveries: { keys: 1, lua: CLAIM_DELIVERIES }, yoloRecordDelivery: { keys: 2, lua: RECORD_DELIVERY } });
  }

  async claimDue(now: number, limit: number): Promise<DeliveryClaim[]> {
    const k = this.keys;
    const rows = await this.redis.yoloClaimDeliveries(k.webhooksDue, now, limit, now + DELIVERY_LEASE_MS, k.webhookPrefix, k.taskPrefix, this.keepMs);
    return rows.map(([taskId, event, url, attempts, payload]) => ({ taskId, event: event as WebhookEvent, url, attempts: Number(attempts), ...(payload ? { payload } : {}) }));
  }

  async fixPayload(claim: DeliveryClaim, payload: string) {
    const key = `${this.keys.webhookPrefix}${claim.taskId}:${claim.event}`;
    const replies = await this.redis.pipeline().hsetnx(key, "payload", payload).hget(key, "payload").exec();
    const stored = replies?.[1]?.[1];
    return typeof stored === "string" ? stored : payload;
  }

  async record(claim: DeliveryClaim, attempt: AttemptRecord) {
    const member = `${claim.taskId}:${claim.event}`;
    const fields: (string | number)[] = ["state", attempt.outcome, "at", attempt.at];
    if ("status" in attempt.result) fields.push("status", attempt.result.status);
    else fields.push("error", attempt.result.error);
    if (attempt.outcome === "pending") fields.push("payload", attempt.payload, "next", attempt.nextAt!);
    await this.redis.yoloRecordDelivery(this.keys.webhooksDue, this.keys.webhookPrefix + member, member, claim.attempts, attempt.outcome === "pending" ? attempt.nextAt! : "", ...fields);
    // The payload is only needed for retries.
    if (attempt.outcome !== "pending") await this.redis.hdel(this.keys.webhookPrefix + member, "payload");
  }

  async statesOf(taskId: string): Promise<DeliveryState[]> {
    const pipeline = this.redis.pipeline();
    for (const event of WEBHOOK_EVENTS) pipeline.hmget(this.keys.webhookPrefix + `${taskId}:${event}`, "state", "attempts", "status", "error", "at", "next");
    const due = WEBHOOK_EVENTS.map((event) => this.redis.zscore(this.keys.webhooksDue, `${taskId}:${event}`));
    const replies = (await pipeline.exec()) ?? [];
    const queued = await Promise.all(due);
    const out: DeliveryState[] = [];
    WEBHOOK_EVENTS.forEach((event, i) => {
      const [err, row] = replies[i] ?? [];
      if (err) throw err;
      const [state, attempts, status, error, at, next] = (row as (string | null)[]) ?? [];
      // Queued by the move but not yet leased: waiting for its first attempt.
      if (!state && queued[i] === null) return;
      out.push({
        event, webhookId: webhookIdOf(taskId, event), state: (state ?? "pending") as DeliveryOutcome, attempts: Number(attempts ?? 0),
        ...(status ? { lastStatus: Number(status) } : {}),
        ...(error ? { lastError: error } : {}),
        ...(at ? { lastAttemptAt: Number(at) } : {}),
        ...(state === "pending" && next ? { nextAttemptAt: Number(next) } : {}),
      });
    });
    return out;
  }
}
