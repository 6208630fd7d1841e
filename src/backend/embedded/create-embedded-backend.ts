import { TtlSweeper } from "../../domain/ttl-sweeper";
import { MapTaskStore } from "../../domain/task-store";
import { Executor } from "../../executor/executor";
import { MemoryDeliveryQueue } from "../../webhook/memory-delivery-queue";
import { MemoryIdempotencyStore } from "../idempotency";
import { executorOptions, type BackendDeps } from "../backend-deps";
import type { TaskBackend } from "../task-backend";
import { EmbeddedBackend } from "./embedded-backend";

/** Webhook events that may wait for their attempts at once; each holds its payload (a few KB, more with many detections). */
const MAX_WAITING_DELIVERIES = 10_000;

/** Tasks, queue and inference in this process. */
export function createEmbeddedBackend(deps: BackendDeps): TaskBackend {
  const { config, clock, log } = deps;
  const store = new MapTaskStore();
  const sweeper = new TtlSweeper(store, clock, config.taskTtlMs, config.gcIntervalMs, (removed) =>
    log.info("expired tasks removed", { removed: removed.length, tasks: store.size }),
  );
  return new EmbeddedBackend({
    store,
    executor: new Executor(executorOptions(deps)),
    sweeper,
    clock,
    log,
    queueMax: config.queueMax,
    clientQueueMax: config.clientQueueMax,
    maxStoreBytes: config.maxStoreBytes,
    deliveries: new MemoryDeliveryQueue(MAX_WAITING_DELIVERIES, config.taskTtlMs, log),
    idempotency: new MemoryIdempotencyStore(clock, config.taskTtlMs),
  });
}
