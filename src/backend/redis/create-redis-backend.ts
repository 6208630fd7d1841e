import { Queue } from "bullmq";
import type { Config } from "../../config/config";
import type { Clock } from "../../domain/clock";
import { Runner, runnerOptions } from "../../runner/runner";
import type { Logger } from "../../util/logger";
import { connectRedis } from "./connect";
import { InferenceConsumer } from "./inference-consumer";
import { QUEUE_NAME, type RedisKeys, redisKeys } from "./keys";
import { Reconciler } from "./reconciler";
import { RedisBackend } from "./redis-backend";
import { RedisTaskStore } from "./redis-task-store";

/** How often open tasks are checked against their jobs. */
const RECONCILE_MS = 5000;

export interface RedisWiring {
  config: Config;
  modelPath: string;
  log: Logger;
  clock: Clock;
  workerEntry?: string | URL;
  onFatal?: (reason: string) => void;
}

/** Local Bun Workers that take their tasks from the shared queue (used by replicas with WORKERS > 0 and by `bun run worker`). */
export function createConsumer({ config, modelPath, log, clock, workerEntry, onFatal }: RedisWiring, keys: RedisKeys, subscriber: ReturnType<typeof connectRedis>) {
  const url = config.redisUrl!;
  const durable = connectRedis(url, "durable", "yolo-inference");
  const blocking = connectRedis(url, "blocking", "yolo-inference-queue");
  const runner = new Runner(
    runnerOptions(
      config,
      // The consumer logs each Redis transition itself; the local runner's own
      // task lines would describe a second, private queue.
      { modelPath, clock, workerEntry, onFatal, log: { ...log, info: (msg, fields) => (msg === "task" ? undefined : log.info(msg, fields)) } },
      // Jobs arrive at most `workers` at a time; limits are enforced on the shared queue.
      { queueMax: Number.MAX_SAFE_INTEGER, maxStoreBytes: Number.MAX_SAFE_INTEGER },
    ),
  );
  const consumer = new InferenceConsumer({
    runner,
    store: new RedisTaskStore(durable, keys),
    blocking,
    subscriber,
    redis: durable,
    clock,
    log,
    concurrency: config.workers,
    taskTtlMs: config.taskTtlMs,
    jobLockMs: config.jobLockMs,
    jobMaxStalls: config.jobMaxStalls,
  });
  return { runner, consumer, connections: [durable, blocking] };
}

/**
 * The Redis backend of one API replica: its connections, the shared queue,
 * optional local inference, and the reconciler.
 */
export function createRedisBackend(wiring: RedisWiring) {
  const { config, log, clock } = wiring;
  const url = config.redisUrl!;
  const keys = redisKeys(config.redisPrefix);
  const redis = connectRedis(url, "api", "yolo-api");
  const subscriber = connectRedis(url, "blocking", "yolo-api-events");
  const store = new RedisTaskStore(redis, keys);
  // BullMQ checks the server version as the Queue is built, and a connection
  // that fails fast (→ 503 in an outage) refuses that before it is connected:
  // the Queue is built on the first connect.
  let queue: Queue | undefined;
  redis.once("ready", () => {
    queue = new Queue(QUEUE_NAME, {
      connection: redis,
      prefix: keys.bullPrefix,
      skipWaitingForReady: true,
      // Built on a live connection; the version check would only add a way to fail for good (Redis ≥ 7 is required anyway).
      skipVersionCheck: true,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: Math.ceil(config.taskTtlMs / 1000) }, attempts: 1 },
    });
    queue.on("error", () => {});
  });
  const getQueue = () => queue;
  const local = config.workers > 0 ? createConsumer(wiring, keys, subscriber) : undefined;
  const backend = new RedisBackend({
    redis,
    subscriber,
    store,
    queue: getQueue,
    clock,
    log,
    queueMax: config.queueMax,
    maxStoreBytes: config.maxStoreBytes,
    taskTtlMs: config.taskTtlMs,
    consumer: local?.consumer,
  });
  const reconciler = new Reconciler(store, getQueue, clock, log, config.taskTtlMs, RECONCILE_MS);
  return {
    backend,
    runner: local?.runner,
    housekeeping: reconciler,
    /** closes every connection, once the backend has stopped */
    async close() {
      await queue?.close().catch(() => {});
      for (const c of [redis, subscriber, ...(local?.connections ?? [])]) c.disconnect();
    },
  };
}
