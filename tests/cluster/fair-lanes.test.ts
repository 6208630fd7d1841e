import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { FairLanes } from "../../src/backend/redis/fair-lanes";
import { redisKeys } from "../../src/backend/redis/keys";
import { RedisTaskStore } from "../../src/backend/redis/redis-task-store";
import type { Task } from "../../src/domain/task";
import { FairQueue } from "../../src/queue/fair-queue";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

// The fair queue in Redis (lanes, turns, claims) on a real Redis, against the in-memory FairQueue.
let redis: Redis;
const TTL = 60_000;
const limits = { queueMax: 1000, maxBytes: 1e9, clientQueueMax: 100 };
const params: Task["params"] = { ...DEFAULT_PARAMS, rect: "off" };

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

function fresh() {
  const keys = redisKeys(uniquePrefix("fair"));
  return { store: new RedisTaskStore(redis, keys), lanes: new FairLanes(redis, keys) };
}
/** Creates a task for the client named by the label's first letter ("a2": client a); returns label → id. */
async function submit(store: RedisTaskStore, labels: string[], ids = new Map<string, string>(), clientQueueMax = 100) {
  const out: (number | string)[] = [];
  for (const label of labels) {
    const id = crypto.randomUUID();
    ids.set(label, id);
    out.push(await store.create({ id, status: "pending", createdAt: 1000, updatedAt: 1000, params, client: `key:${label[0]}`, size: { width: 1, height: 1 } }, new Uint8Array(4), { ...limits, clientQueueMax }));
  }
  return { ids, out };
}
const positionOf = async (store: RedisTaskStore, id: string) => (await store.get(id, { withImage: false }))!.position;

describe("Redis fair queue", () => {
  test("positions at creation and on reading follow the turns; jobs claim in exactly that order", async () => {
    const { store, lanes } = fresh();
    const labels = ["a1", "a2", "a3", "b1", "b2", "c1"];
    const { ids, out } = await submit(store, labels);
    // as each arrived: a1 1st; a2 2nd; a3 3rd; b1 goes ahead of a2 and a3; …
    expect(out).toEqual([1, 2, 3, 2, 4, 3]);
    expect(await Promise.all(labels.map((l) => positionOf(store, ids.get(l)!)))).toEqual([1, 4, 6, 2, 5, 3]);
    const claimed: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await lanes.claim(`job-${i}`, "yolov8n", 2000 + i);
      if (c.kind === "claimed") claimed.push([...ids].find(([, id]) => id === c.id)![0]);
      else expect(c.kind).toBe("none"); // the 7th token finds nothing and ends
    }
    expect(claimed).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
    const first = (await store.get(ids.get("a1")!, { withImage: false }))!;
    expect([first.task.status, first.task.startedAt, first.attempts, await store.jobOf(first.task.id)]).toEqual(["processing", 2000, 1, "job-0"]);
    expect(await lanes.stats(5)).toEqual({ active: 0, largest: [] });
  });

  test("a job of one model's queue claims only that model's tasks, still in the turns' order", async () => {
    const { store, lanes } = fresh();
    const ids = new Map<string, string>();
    // a: small, large, small; b: large; c: small
    const plan: [string, string][] = [["a1", "small"], ["a2", "large"], ["a3", "small"], ["b1", "large"], ["c1", "small"]];
    for (const [label, model] of plan) {
      const id = crypto.randomUUID();
      ids.set(label, id);
      await store.create({ id, status: "pending", createdAt: 1000, updatedAt: 1000, params: { ...params, model }, client: `key:${label[0]}`, size: { width: 1, height: 1 } }, new Uint8Array(4), limits);
    }
    const labelOf = (id: string) => [...ids].find(([, v]) => v === id)![0];
    const claim = async (job: string, model: string) => {
      const c = await lanes.claim(job, model, 2000);
      return c.kind === "claimed" ? labelOf(c.id) : c.kind;
    };
    // large: a's first large task (a2, behind its small a1), then b's; then none left
    expect([await claim("l1", "large"), await claim("l2", "large"), await claim("l3", "large")]).toEqual(["a2", "b1", "none"]);
    // small: a was served last among a, b; c's turn comes first, then a's two in order
    expect([await claim("s1", "small"), await claim("s2", "small"), await claim("s3", "small"), await claim("s4", "small")]).toEqual(["c1", "a1", "a3", "none"]);
    expect(await lanes.stats(5)).toEqual({ active: 0, largest: [] });
  });

  test("a job keeps its task: claiming again gives it back (a takeover), until the task ends", async () => {
    const { store, lanes } = fresh();
    const { ids } = await submit(store, ["a1", "a2"]);
    expect(await lanes.claim("job-x", "yolov8n", 2000)).toEqual({ kind: "claimed", id: ids.get("a1")! });
    expect(await lanes.claim("job-x", "yolov8n", 2500)).toEqual({ kind: "held", id: ids.get("a1")! });
    expect(await lanes.heldBy("job-x")).toBe(ids.get("a1"));
    await store.transition(ids.get("a1")!, "completed", 3000, {}, { ttlMs: TTL });
    expect(await lanes.heldBy("job-x")).toBeUndefined();
    expect(await lanes.claim("job-x", "yolov8n", 3100)).toEqual({ kind: "claimed", id: ids.get("a2")! });
  });

  // The cap binds while another client waits (b first): alone, a client may use the queue (admission.ts).
  test("CLIENT_QUEUE_MAX refuses one client while another waits; a cancel frees the lane and closes the gap", async () => {
    const { store, lanes } = fresh();
    const { ids, out } = await submit(store, ["b1", "a1", "a2", "a3"], new Map(), 2);
    expect(out).toEqual([1, 2, 3, "client_queue_full"]);
    expect(await lanes.backlogOf("key:a")).toBe(2);
    expect(await lanes.stats(1)).toEqual({ active: 2, largest: [{ client: "key:a", waiting: 2 }] });
    await store.transition(ids.get("b1")!, "canceled", 1500, { cancelReason: "client" }, { ttlMs: TTL });
    expect(await lanes.stats(5)).toEqual({ active: 1, largest: [{ client: "key:a", waiting: 2 }] });
    expect(await positionOf(store, ids.get("a2")!)).toBe(2);
    expect((await lanes.claim("j1", "yolov8n", 2000)).kind).toBe("claimed");
    expect(await lanes.claim("j2", "yolov8n", 2000)).toEqual({ kind: "claimed", id: ids.get("a2")! });
    expect(await lanes.claim("j3", "yolov8n", 2000)).toEqual({ kind: "none" });
  });

  test("an id whose record vanished leaves its lane with FORGET_ORPHAN, and a claim skips one it meets", async () => {
    const { store, lanes } = fresh();
    const { ids } = await submit(store, ["a1", "a2", "b1"]);
    await redis.del(store.keys.task(ids.get("a1")!));
    await store.forgetOrphans([ids.get("a1")!]);
    expect(await lanes.stats(5)).toEqual({ active: 2, largest: [{ client: "key:a", waiting: 1 }, { client: "key:b", waiting: 1 }] });
    await redis.del(store.keys.task(ids.get("a2")!)); // not yet forgotten when the next job runs
    expect(await lanes.claim("j1", "yolov8n", 2000)).toEqual({ kind: "claimed", id: ids.get("b1")! });
    expect(await lanes.claim("j2", "yolov8n", 2000)).toEqual({ kind: "none" });
  });

  test("under random arrivals, claims and cancels, every position equals the in-memory FairQueue's", async () => {
    const { store, lanes } = fresh();
    const mirror = new FairQueue<string>();
    const live: string[] = [];
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let step = 0; step < 150; step++) {
      const op = rand(10);
      if (op < 5) {
        const client = `key:${"abcd"[rand(4)]}`;
        const id = crypto.randomUUID();
        await store.create({ id, status: "pending", createdAt: step, updatedAt: step, params, client, size: { width: 1, height: 1 } }, new Uint8Array(1), limits);
        mirror.push(client, id);
        live.push(id);
      } else if (op < 8) {
        const c = await lanes.claim(`job-${step}`, "yolov8n", step);
        const expected = mirror.shift();
        expect(c.kind === "claimed" ? c.id : undefined).toBe(expected);
        if (expected) live.splice(live.indexOf(expected), 1);
      } else if (live.length) {
        const id = live.splice(rand(live.length), 1)[0];
        await store.transition(id, "canceled", step, { cancelReason: "client" }, { ttlMs: TTL });
        mirror.remove(id);
      }
      if (step % 10 === 0) {
        const got = await Promise.all(live.map((id) => positionOf(store, id)));
        expect(got).toEqual(live.map((id) => mirror.positionOf(id)));
      }
    }
  });
});
