import { Queue } from "bullmq";
import type Redis from "ioredis";
import { Executor } from "../../executor/executor";
import { type BackendDeps, executorOptions } from "../backend-deps";
import type { TaskBackend } from "../task-backend";
import { connectRedis } from "./connect";
import { InferenceConsumer } from "./inference-consumer";
import { queueName, type RedisKeys, redisKeys } from "./keys";
import { Reconciler } from "./reconciler";
import { configuredNames } from "../../model/catalogue";
import { RedisBackend } from "./redis-backend";
import { RedisDeliveryQueue } from "./redis-deliveries";
import { RedisIdempotencyStore } from "./redis-idempotency";
import { RedisTaskStore } from "./redis-task-store";

/** How often open tasks are checked against their jobs. */
const RECONCILE_MS = 5000;

/**
 * The executor fed from the shared queue: used by API replicas with
 * WORKERS > 0 and by `bun run inference`. `subscriber` hears cancels.
 */
export function createInferenceConsumer(deps: BackendDeps, keys: RedisKeys, subscriber: Redis) {
  const { config, clock, log } = deps;
  const url = config.redisUrl!;
  const durable = connectRedis(url, "durable", "yolo-inference");
  const blocking = connectRedis(url, "blocking", "yolo-inference-queue");
  const executor = new Executor(executorOptions(deps));
  const consumer = new InferenceConsumer({
    executor,
    store: new RedisTaskStore(durable, keys),
    blocking,
    subscriber,
    redis: durable,
    clock,
    log,
    concurrency: config.workers,
    models: deps.models.map((m) => m.name),
    taskTtlMs: config.taskTtlMs,
    jobLockMs: config.jobLockMs,
    jobMaxStalls: config.jobMaxStalls,
  });
  return { executor, consumer, connections: [durable, blocking] };
}

/**
 * The Redis backend of one API replica: its connections, the shared queue,
 * optional local inference, and the reconciler.
 */
export function createRedisBackend(deps: BackendDeps): TaskBackend {
  const { config, log, clock } = deps;
  const url = config.redisUrl!;
  const keys = redisKeys(config.redisPrefix);
  const redis = connectRedis(url, "api", "yolo-api");
  const subscriber = connectRedis(url, "blocking", "yolo-api-events");
  const store = new RedisTaskStore(redis, keys);
  // BullMQ checks the server version as a Queue is built, and a connection
  // that fails fast (→ 503 in an outage) refuses that before it is connected:
  // a model's Queue is built on first use once the connection has been made.
  const queues = new Map<string, Queue>();
  let connected = false;
  redis.once("ready", () => (connected = true));
  const getQueue = (model: string): Queue | undefined => {
    if (!connected) return undefined;
    let queue = queues.get(model);
    if (!queue) {
      queue = new Queue(queueName(model), {
        connection: redis,
        prefix: keys.bullPrefix,
        skipWaitingForReady: true,
        // Built on a live connection; the version check would only add a way to fail for good (Redis ≥ 7 is required anyway).
        skipVersionCheck: true,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: Math.ceil(config.taskTtlMs / 1000) }, attempts: 1 },
      });
      queue.on("error", () => {});
      queues.set(model, queue);
    }
    return queue;
  };
  const local = config.workers > 0 ? createInferenceConsumer(deps, keys, subscriber) : undefined;
  const reconciler = new Reconciler(store, getQueue, clock, log, config.taskTtlMs, RECONCILE_MS);
  return new RedisBackend({
    redis,
    subscriber,
    store,
    queue: getQueue,
    configured: configuredNames(deps.models, config.models),
    clock,
    log,
    queueMax: config.queueMax,
    clientQueueMax: config.clientQueueMax,
    maxStoreBytes: config.maxStoreBytes,
    taskTtlMs: config.taskTtlMs,
    local: local?.executor,
    deliveries: new RedisDeliveryQueue(redis, keys, config.taskTtlMs),
    idempotency: new RedisIdempotencyStore(redis, keys, config.taskTtlMs),
    companions: [...(local ? [local.consumer] : []), reconciler],
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
      for (const c of [redis, subscriber, ...(local?.connections ?? [])]) c.disconnect();
    },
  });
}
