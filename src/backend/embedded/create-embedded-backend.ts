import { GarbageCollector } from "../../domain/garbage-collector";
import { MapTaskStore } from "../../domain/task-store";
import { Executor } from "../../executor/executor";
import { executorOptions, type BackendDeps } from "../backend-deps";
import type { TaskBackend } from "../task-backend";
import { EmbeddedBackend } from "./embedded-backend";

/** Tasks, queue and inference in this process. */
export function createEmbeddedBackend(deps: BackendDeps): TaskBackend {
  const { config, clock, log } = deps;
  const store = new MapTaskStore();
  const gc = new GarbageCollector(store, clock, config.taskTtlMs, config.gcIntervalMs, (removed) =>
    log.info("gc", { removed: removed.length, tasks: store.size }),
  );
  return new EmbeddedBackend({
    store,
    executor: new Executor(executorOptions(deps)),
    gc,
    clock,
    log,
    queueMax: config.queueMax,
    clientQueueMax: config.clientQueueMax,
    maxStoreBytes: config.maxStoreBytes,
  });
}
