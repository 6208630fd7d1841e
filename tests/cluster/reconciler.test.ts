import { afterAll, beforeAll, expect, test } from "bun:test";
import { Queue, Worker } from "bullmq";
import Redis from "ioredis";
import { queueName, redisKeys } from "../../src/backend/redis/keys";
import { Reconciler } from "../../src/backend/redis/reconciler";
import { RedisTaskStore } from "../../src/backend/redis/redis-task-store";
import type { Task } from "../../src/domain/task";
import { jsonLogger } from "../../src/util/logger";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { REPO } from "../support/paths";
import { FakeClock } from "../support/fake-clock";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

// The backstop for tasks whose job is gone: on a fake clock, a real Redis and a real BullMQ queue.
let redis: Redis;
let store: RedisTaskStore;
let queue: Queue;
const clock = new FakeClock();
const logs: Record<string, unknown>[] = [];
let reconciler: Reconciler;
// Every task here runs on one model: its queue is the one the reconciler looks in.
const MODEL = "yolov8n";
const QUEUE_NAME = queueName(MODEL);

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  store = new RedisTaskStore(redis, redisKeys(uniquePrefix("reconcile")));
  queue = new Queue(QUEUE_NAME, { connection: redis, prefix: store.keys.bullPrefix });
  reconciler = new Reconciler(store, (model) => (model === MODEL ? queue : undefined), clock, jsonLogger("info", (l) => logs.push(JSON.parse(l))), 60_000, 5000);
});
afterAll(async () => {
  await queue.close();
  redis.disconnect();
});

const params: Task["params"] = { ...DEFAULT_PARAMS, rect: "off", model: MODEL };
async function pendingTask(withJob: boolean): Promise<string> {
  const now = clock.now();
  const task = { id: crypto.randomUUID(), status: "pending", createdAt: now, updatedAt: now, params, client: "ip:127.0.0.2", size: { width: 1, height: 1 } } satisfies Task;
  await store.create(task, new Uint8Array(10), { queueMax: 100, maxBytes: 1e9, clientQueueMax: 100 });
  if (withJob) await queue.add("detect", { for: task.id }, { jobId: task.id });
  return task.id;
}

test("a processing task whose job is gone fails with worker_lost; pending tasks short of a job get one; only past the grace period", async () => {
  const orphan = await pendingTask(false); // its API died between storing it and queueing its job
  const queued = await pendingTask(true);
  const running = await pendingTask(false);
  await store.transition(running, "processing", clock.now(), { startedAt: clock.now() }, { ttlMs: 60_000 }); // its job vanished
  expect(await reconciler.sweep()).toEqual([]); // within the grace period nothing is touched
  expect(await queue.count()).toBe(1);
  clock.advance(11_000);
  expect(await reconciler.sweep()).toEqual([running]);
  const got = (await store.get(running))!.task;
  expect([got.status, got.error?.code]).toEqual(["failed", "worker_lost"]);
  // Nothing accepted is stranded: the orphan is still pending, and there is a token for each pending task.
  for (const id of [orphan, queued]) expect((await store.get(id))!.task.status).toBe("pending");
  expect(await queue.count()).toBe(2);
  expect(logs.some((l) => l.msg === "queue tokens refilled" && l.count === 1)).toBe(true);
  expect(await store.totals()).toEqual({ pending: 2, processing: 0, inputBytes: 20 });
  expect(logs.filter((l) => l.error === "worker_lost").length).toBe(1);
  expect(await reconciler.sweep()).toEqual([]); // idempotent: no second refill
  expect(await queue.count()).toBe(2);
  // tidy for the next tests: these two never run here
  for (const id of [orphan, queued]) await store.transition(id, "canceled", clock.now(), { cancelReason: "client" }, { ttlMs: 60_000 });
  await queue.drain();
});

test("open ids whose record is gone (deleted, evicted) leave the open sets, so they stop counting against QUEUE_MAX", async () => {
  const before = await store.totals();
  const ghost = await pendingTask(false);
  await redis.del(store.keys.task(ghost));
  await reconciler.sweep();
  // out of the queue, and its upload's bytes given back
  expect(await store.totals()).toEqual(before);
  expect(await store.upload(ghost)).toBeUndefined();
  expect(logs.some((l) => l.msg === "open ids without a task record dropped")).toBe(true);
});

test("a task whose job BullMQ failed after its process died (JOB_MAX_STALLS 0) fails with worker_lost", async () => {
  await queue.drain(); // the first test's job must not be the one taken
  const id = await pendingTask(true);
  const opts = { prefix: store.keys.bullPrefix, lockDuration: 1000, stalledInterval: 300, maxStalledCount: 0 };
  // A consumer in another process takes the job and is killed holding it: its lock is never renewed.
  const script = `
    const { Worker } = require("bullmq"); const Redis = require("ioredis");
    new Worker(${JSON.stringify(QUEUE_NAME)}, () => (console.log("took"), new Promise(() => {})),
      { connection: new Redis(${JSON.stringify(testRedisUrl())}, { maxRetriesPerRequest: null }), prefix: ${JSON.stringify(store.keys.bullPrefix)}, lockDuration: 1000, stalledInterval: 300 });`;
  const dying = Bun.spawn(["bun", "-e", script], { cwd: REPO, stdout: "pipe", stderr: "inherit" });
  let said = "";
  for await (const chunk of dying.stdout.pipeThrough(new TextDecoderStream())) {
    said += chunk;
    if (said.includes("took")) break;
  }
  expect(said).toContain("took"); // the stream ended without it: the child died first
  await store.transition(id, "processing", clock.now(), { startedAt: clock.now() }, { ttlMs: 60_000 });
  dying.kill("SIGKILL");
  await dying.exited;
  // Another consumer's stalled-job check finds the lapsed lock; with no takeovers allowed, the job fails.
  const checkerConnection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const checker = new Worker(QUEUE_NAME, async () => {}, { ...opts, connection: checkerConnection });
  const deadline = Date.now() + 10_000;
  while ((await queue.getJobState(id)) !== "failed" && Date.now() < deadline) await Bun.sleep(100);
  await checker.close(true);
  checkerConnection.disconnect();
  expect(await queue.getJobState(id)).toBe("failed");
  expect((await queue.getJob(id))!.failedReason).toMatch(/stalled/);
  clock.advance(11_000);
  expect(await reconciler.sweep()).toContain(id);
  expect((await store.get(id))!.task.error?.code).toBe("worker_lost");
}, 30_000);
