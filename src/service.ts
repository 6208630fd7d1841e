import { createApp } from "./app";
import type { Config } from "./config/config";
import { type Clock, systemClock } from "./domain/clock";
import { GarbageCollector } from "./domain/garbage-collector";
import { createMetrics } from "./metrics/metrics";
import { Runner } from "./runner/runner";
import type { Logger } from "./util/logger";

export interface ServiceOptions {
  config: Config;
  modelPath: string;
  log: Logger;
  clock?: Clock;
  workerEntry?: string | URL;
  onFatal?: (reason: string) => void;
}

/** Wires the runner, the garbage collector and the HTTP app; nothing listens yet. */
export function createService({ config, modelPath, log, clock = systemClock, workerEntry, onFatal }: ServiceOptions) {
  const runner = new Runner({
    modelPath,
    workers: config.workers,
    threadsPerWorker: config.threadsPerWorker,
    maxPixels: config.maxPixels,
    taskTimeoutMs: config.taskTimeoutMs,
    clock,
    log,
    workerEntry,
    onFatal,
    queueMax: config.queueMax,
    maxStoreBytes: config.maxStoreBytes,
    annotatedMaxSide: config.annotatedMaxSide,
    preprocessIn: config.preprocessIn,
  });
  const metrics = createMetrics(runner);
  const gc = new GarbageCollector(runner.store, clock, config.taskTtlMs, config.gcIntervalMs, (removed) =>
    log.info("gc", { removed: removed.length, tasks: runner.store.size }),
  );
  const app = createApp({
    runner,
    metrics,
    log,
    maxUploadBytes: config.maxUploadBytes,
    maxPixels: config.maxPixels,
    queueMax: config.queueMax,
    maxStoreBytes: config.maxStoreBytes,
    apiKey: config.apiKey,
    corsOrigins: config.corsOrigins,
  });
  return {
    app,
    runner,
    gc,
    start() {
      runner.start();
      gc.start();
    },
    stop() {
      gc.stop();
      runner.stop();
    },
    /** SIGTERM: stop taking work, let tasks finish for DRAIN_TIMEOUT_MS, cancel the rest, stop workers. */
    async drain() {
      const result = await runner.drain(config.drainTimeoutMs);
      gc.stop();
      return result;
    },
  };
}

export type Service = ReturnType<typeof createService>;
