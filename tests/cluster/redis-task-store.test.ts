import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { redisKeys } from "../../src/backend/redis/keys";
import { parseEvent, RedisTaskStore } from "../../src/backend/redis/redis-task-store";
import type { Task } from "../../src/domain/task";
import { startLocalRedis } from "../../src/tools/local-redis";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

// The Redis store on a real Redis: atomic limits, the lifecycle table, expiry and events.
let redis: Redis;
let sub: Redis;
let store: RedisTaskStore;
const events: string[] = [];
const TTL = 60_000;
const limits = { queueMax: 3, maxBytes: 1000, clientQueueMax: 100 };

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  sub = new Redis(testRedisUrl());
  store = new RedisTaskStore(redis, redisKeys(uniquePrefix("store")));
  await sub.subscribe(store.keys.events);
  sub.on("message", (_c, m) => events.push(m));
});
afterAll(() => {
  redis.disconnect();
  sub.disconnect();
});

const params: Task["params"] = { ...DEFAULT_PARAMS, rect: "off" };
const newTask = (client = "ip:127.0.0.2") => ({ id: crypto.randomUUID(), status: "pending", createdAt: 1000, updatedAt: 1000, params, client, size: { width: 4, height: 3 } }) satisfies Task;
const bytes = (n: number) => new Uint8Array(n).fill(7);

/**
 * The events published so far, taken off the list. A marker published on the
 * store's own connection after the moves arrives after every event they
 * published (one connection's commands run in order, and a channel delivers
 * in publish order), so once it is here nothing is still on its way: a move
 * that wrongly published would be in the list, with no sleep to outwait it.
 */
async function takeEvents(): Promise<string[]> {
  const marker = `marker:${crypto.randomUUID()}`;
  let seen!: () => void;
  const arrived = new Promise<void>((resolve) => (seen = resolve));
  const onMessage = (_channel: string, message: string) => message === marker && seen();
  sub.on("message", onMessage);
  try {
    await redis.publish(store.keys.events, marker);
    await arrived;
  } finally {
    sub.off("message", onMessage);
  }
  return events.splice(0, events.indexOf(marker) + 1).slice(0, -1);
}

describe("create", () => {
  test("queues in arrival order, refuses past QUEUE_MAX and past the upload-byte cap, and stores the upload", async () => {
    // Four clients: one client alone leaves the queue's last place to newcomers (admission.ts), which this test is not about.
    const tasks = [1, 2, 3, 4].map((i) => newTask(`ip:127.0.1.${i}`));
    expect(await store.create(tasks[0], bytes(100), limits)).toBe(1);
    expect(await store.create(tasks[1], bytes(100), limits)).toBe(2);
    expect(await store.create(tasks[2], bytes(100), limits)).toBe(3);
    expect(await store.create(tasks[3], bytes(100), limits)).toBe("queue_full");
    expect(await store.get(tasks[3].id)).toBeUndefined();
    expect(await store.totals()).toEqual({ pending: 3, processing: 0, inputBytes: 300 });
    expect(Array.from((await store.upload(tasks[1].id))!)).toEqual(Array.from(bytes(100)));
    const got = await store.get(tasks[2].id);
    expect(got).toEqual({ task: tasks[2], position: 3, attempts: 0 });
    // make room, then the byte cap decides
    for (const t of tasks.slice(0, 3)) await store.transition(t.id, "canceled", 2000, { cancelReason: "client" }, { ttlMs: TTL });
    expect(await store.create(newTask(), bytes(1001), limits)).toBe("memory_full");
    expect(await store.totals()).toEqual({ pending: 0, processing: 0, inputBytes: 0 });
  });

  test("an admitted upload stays with no expiry; a refused one leaves nothing behind", async () => {
    const own = new RedisTaskStore(redis, redisKeys(uniquePrefix("upload")));
    const [kept, refused] = [newTask(), newTask()];
    expect(await own.create(kept, bytes(600), limits)).toBe(1);
    expect(await own.create(refused, bytes(600), limits)).toBe("memory_full");
    expect(await redis.pttl(own.keys.input(kept.id))).toBe(-1);
    expect(await redis.exists(own.keys.input(refused.id), own.keys.task(refused.id))).toBe(0);
    expect(await own.totals()).toEqual({ pending: 1, processing: 0, inputBytes: 600 });
  });

  test("a full Redis refuses an upload with OOM (429 memory_full upstream), and nothing of it is left", async () => {
    const own = await startLocalRedis();
    const conn = new Redis(own.url);
    try {
      const full = new RedisTaskStore(conn, redisKeys(uniquePrefix("full")));
      await conn.config("SET", "maxmemory", "1");
      const t = newTask();
      await expect(full.create(t, bytes(300_000), { ...limits, maxBytes: 1_000_000 })).rejects.toThrow(/OOM/);
      await conn.config("SET", "maxmemory", "0");
      expect(await conn.exists(full.keys.input(t.id), full.keys.task(t.id))).toBe(0);
      expect(await full.totals()).toEqual({ pending: 0, processing: 0, inputBytes: 0 });
    } finally {
      conn.disconnect();
      await own.stop();
    }
  });

  test("many writers racing for the last slots: exactly QUEUE_MAX get in", async () => {
    const [c1, c2] = [new Redis(testRedisUrl()), new Redis(testRedisUrl())];
    const other = new RedisTaskStore(c1, redisKeys(uniquePrefix("race")));
    const peer = new RedisTaskStore(c2, other.keys);
    // Different clients: their positions are then 1, 2, 3 whichever order they win in.
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : peer).create(newTask(`ip:10.0.0.${i}`), bytes(10), limits)));
    c1.disconnect();
    c2.disconnect();
    expect(outcomes.filter((o) => typeof o === "number").sort()).toEqual([1, 2, 3]);
    expect(outcomes.filter((o) => o === "queue_full").length).toBe(17);
  });
});

describe("transition", () => {
  test("follows the lifecycle table: pending cannot complete, processing is retaken only when asked", async () => {
    const t = newTask();
    await store.create(t, bytes(50), limits);
    expect(await store.transition(t.id, "completed", 1100, {}, { ttlMs: TTL })).toEqual({ ok: false, current: "pending" });
    expect(await store.transition(t.id, "processing", 1200, { startedAt: 1200 }, { ttlMs: TTL })).toEqual({ ok: true, from: "pending" });
    expect(await store.transition(t.id, "processing", 1300, { startedAt: 1300 }, { ttlMs: TTL })).toEqual({ ok: false, current: "processing" });
    expect(await store.transition(t.id, "processing", 1300, { startedAt: 1300 }, { ttlMs: TTL, retake: true })).toEqual({ ok: true, from: "processing" });
    const got = (await store.get(t.id))!;
    expect([got.task.status, got.task.startedAt, got.attempts, got.position]).toEqual(["processing", 1300, 2, 0]);
    expect(await store.totals()).toEqual({ pending: 0, processing: 1, inputBytes: 50 });
    expect(await store.transition("no-such-id", "failed", 1, {}, { ttlMs: TTL })).toEqual({ ok: false, current: "missing" });
    await store.transition(t.id, "failed", 1400, { error: { code: "worker_lost", message: "gone" } }, { ttlMs: TTL });
    expect(await store.totals()).toEqual({ pending: 0, processing: 0, inputBytes: 0 });
  });

  test("a terminal move drops the upload, keeps result and image for the TTL only, and nothing moves after it", async () => {
    const t = newTask();
    await store.create(t, bytes(80), limits);
    await store.transition(t.id, "processing", 1100, { startedAt: 1100 }, { ttlMs: TTL });
    // open tasks never expire: a client is still owed their result
    expect(await redis.pttl(store.keys.task(t.id))).toBe(-1);
    const result = {
      detections: [{ class_id: 16, class: "dog", confidence: 0.93, box: { x1: 1, y1: 2, x2: 3, y2: 4 } }],
      image: { width: 4, height: 3 },
      timings: { queue: 100, preprocess: 1, inference: 2, postprocess: 3, annotate: 4, total: 10 },
      annotated: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
    };
    expect(await store.transition(t.id, "completed", 1500, { result }, { ttlMs: TTL, event: { timings: result.timings } })).toEqual({ ok: true, from: "processing" });
    expect(await store.upload(t.id)).toBeUndefined();
    expect(await store.totals()).toEqual({ pending: 0, processing: 0, inputBytes: 0 });
    for (const key of [store.keys.task(t.id), store.keys.image(t.id)]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(TTL - 5000);
      expect(ttl).toBeLessThanOrEqual(TTL);
    }
    const got = (await store.get(t.id))!;
    expect(got.task).toEqual({ ...t, status: "completed", updatedAt: 1500, startedAt: 1100, result });
    expect((await store.get(t.id, { withImage: false }))!.task.result!.annotated).toBeUndefined();
    expect(await store.transition(t.id, "canceled", 1600, { cancelReason: "client" }, { ttlMs: TTL })).toEqual({ ok: false, current: "completed" });
  });

  test("every move publishes one event on the channel, in order, with what metrics need", async () => {
    await takeEvents(); // earlier tests' events are not this test's
    const t = newTask();
    await store.create(t, bytes(10), limits);
    await store.transition(t.id, "processing", 1100, { startedAt: 1100 }, { ttlMs: TTL, event: { queueMs: 100 } });
    await store.transition(t.id, "failed", 1200, { error: { code: "decode_failed", message: "bad" } }, { ttlMs: TTL });
    await store.transition(t.id, "canceled", 1300, {}, { ttlMs: TTL }); // refused: publishes nothing
    expect((await takeEvents()).map(parseEvent)).toEqual([
      { type: "transition", id: t.id, status: "pending" },
      { type: "transition", id: t.id, status: "processing", queueMs: 100 },
      { type: "transition", id: t.id, status: "failed" },
    ]);
    expect(parseEvent("not json")).toBeUndefined();
    expect(parseEvent(JSON.stringify({ id: "x", status: "exploded" }))).toBeUndefined();
  });
});

describe("annotated images", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  const resultWith = (annotated: Uint8Array) => ({
    detections: [],
    image: { width: 4, height: 3 },
    timings: { queue: 1, preprocess: 1, inference: 1, postprocess: 1, annotate: 1, total: 5 },
    annotated,
  });
  /** Keys under the task's image key other than the image itself: what was SET ahead of TRANSITION. */
  const leftBehind = async (r: Redis, s: RedisTaskStore, id: string) => (await r.keys(`${s.keys.image(id)}:*`)).length;

  test("a completion's image is in place afterwards; a refused one leaves nothing behind", async () => {
    const [done, canceled] = [newTask(), newTask()];
    for (const t of [done, canceled]) {
      await store.create(t, bytes(10), limits);
      await store.transition(t.id, "processing", 1100, { startedAt: 1100 }, { ttlMs: TTL });
    }
    await store.transition(canceled.id, "canceled", 1200, { cancelReason: "client" }, { ttlMs: TTL });
    expect(await store.transition(done.id, "completed", 1300, { result: resultWith(jpeg) }, { ttlMs: TTL })).toEqual({ ok: true, from: "processing" });
    expect(await store.transition(canceled.id, "completed", 1300, { result: resultWith(jpeg) }, { ttlMs: TTL })).toEqual({ ok: false, current: "canceled" });
    expect(Array.from((await store.get(done.id))!.task.result!.annotated!)).toEqual(Array.from(jpeg));
    expect(await redis.exists(store.keys.image(canceled.id))).toBe(0);
    expect([await leftBehind(redis, store, done.id), await leftBehind(redis, store, canceled.id)]).toEqual([0, 0]);
  });

  test("a Redis at its maxmemory refuses the image's SET, and the completion still stores it", async () => {
    const own = await startLocalRedis();
    const conn = new Redis(own.url);
    try {
      const full = new RedisTaskStore(conn, redisKeys(uniquePrefix("full")));
      const t = newTask();
      await full.create(t, bytes(10), limits);
      await full.transition(t.id, "processing", 1100, { startedAt: 1100 }, { ttlMs: TTL });
      await conn.config("SET", "maxmemory", "1");
      await expect(conn.set("probe", "x")).rejects.toThrow(/OOM/);
      expect(await full.transition(t.id, "completed", 1300, { result: resultWith(jpeg) }, { ttlMs: TTL })).toEqual({ ok: true, from: "processing" });
      expect(Array.from((await full.get(t.id))!.task.result!.annotated!)).toEqual(Array.from(jpeg));
      expect(await leftBehind(conn, full, t.id)).toBe(0);
    } finally {
      conn.disconnect();
      await own.stop();
    }
  });
});
