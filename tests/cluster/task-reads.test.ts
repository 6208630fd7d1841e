import { expect, test } from "bun:test";
import Redis from "ioredis";
import { redisKeys } from "../../src/backend/redis/keys";
import { RedisTaskStore } from "../../src/backend/redis/redis-task-store";
import type { Task } from "../../src/domain/task";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { testRedisUrl, uniquePrefix } from "../support/backend";

// Reads of tasks on a real Redis (task-reads.ts): folded per moment, pending records held, the same answers as reads one by one.
const TTL = 60_000;
const limits = { queueMax: 3, maxBytes: 1000, clientQueueMax: 100 };
const params: Task["params"] = { ...DEFAULT_PARAMS, rect: "off" };
const newTask = (client: string) => ({ id: crypto.randomUUID(), status: "pending", createdAt: 1000, updatedAt: 1000, params, client, size: { width: 4, height: 3 } }) satisfies Task;

test("reads asked for in one moment go to Redis as one call, and each answers as it would alone", async () => {
  const conn = new Redis(testRedisUrl());
  const reader = new RedisTaskStore(conn, redisKeys(uniquePrefix("reads")));
  /** per READ_TASKS call: how many ids, and how many of them the reader said it holds as pending */
  const calls: [number, number][] = [];
  const scripted = conn as unknown as { yoloReadTasks(...args: string[]): Promise<unknown> };
  const readTasks = scripted.yoloReadTasks.bind(conn);
  scripted.yoloReadTasks = (...args: string[]) => {
    const flags = args.slice(3).filter((_, i) => i % 2 === 1);
    calls.push([flags.length, flags.filter((f) => f === "1").length]);
    return readTasks(...args);
  };
  // Two clients: the fair order interleaves them (a1, b1, a2).
  const [a1, a2, b1] = [newTask("ip:10.1.0.1"), newTask("ip:10.1.0.1"), newTask("ip:10.1.0.2")];
  for (const t of [a1, a2, b1]) await reader.create(t, new Uint8Array(10), limits);
  const ids = [a2.id, b1.id, a1.id, "no-such-task", a2.id];
  const alone = [];
  for (const id of ids) alone.push(await reader.get(id, { withImage: false }));
  // The second read of a2 finds its record held: only its status and position come back.
  expect(calls).toEqual([[1, 0], [1, 0], [1, 0], [1, 0], [1, 1]]);
  calls.length = 0;
  const together = await Promise.all(ids.map((id) => reader.get(id, { withImage: false })));
  expect(calls).toEqual([[4, 3]]);
  expect(together).toEqual(alone);
  expect(together.map((r) => r?.position)).toEqual([3, 2, 1, undefined, 3]);
  // a1 leaves the queue: its held record is stale, and the read says so; a reader holding nothing agrees.
  await reader.transition(a1.id, "processing", 1100, { startedAt: 1100 }, { ttlMs: TTL });
  const after = await Promise.all([a1.id, a2.id, b1.id].map((id) => reader.get(id, { withImage: false })));
  const fresh = new RedisTaskStore(conn, reader.keys);
  expect(after).toEqual(await Promise.all([a1.id, a2.id, b1.id].map((id) => fresh.get(id, { withImage: false }))));
  expect(after.map((r) => [r?.task.status, r?.position, r?.attempts])).toEqual([["processing", 0, 1], ["pending", 1, 0], ["pending", 2, 0]]);
  conn.disconnect();
});
