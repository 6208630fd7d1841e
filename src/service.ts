import { createApp } from "./app";
import { EmbeddedBackend } from "./backend/embedded-backend";
import { createRedisBackend } from "./backend/redis/create-redis-backend";
import type { TaskBackend } from "./backend/task-backend";
import type { Config } from "./config/config";
import { type Clock, systemClock } from "./domain/clock";
import { GarbageCollector } from "./domain/garbage-collector";
import { createMetrics } from "./metrics/metrics";
import { Runner, runnerOptions } from "./runner/runner";
import type { Logger } from "./util/logger";

export interface ServiceOptions {
  config: Config;
  modelPath: string;
  log: Logger;
  clock?: Clock;
  workerEntry?: string | URL;
  onFatal?: (reason: string) => void;
}

interface Parts {
  backend: TaskBackend;
  /** this process's Runner (Bun Workers); none on an API-only Redis replica */
  runner?: Runner;
  /** expiry of finished tasks (embedded) or the lost-job backstop (redis) */
  housekeeping: { start(): void; stop(): void };
  close(): Promise<void>;
}

function embeddedParts({ config, modelPath, log, clock = systemClock, workerEntry, onFatal }: ServiceOptions): Parts {
  const runner = new Runner(runnerOptions(config, { modelPath, clock, log, workerEntry, onFatal }));
  const gc = new GarbageCollector(runner.store, clock, config.taskTtlMs, config.gcIntervalMs, (removed) =>
    log.info("gc", { removed: removed.length, tasks: runner.store.size }),
  );
  return { backend: new EmbeddedBackend(runner), runner, housekeeping: gc, close: async () => {} };
}

/** Wires the backend (QUEUE_BACKEND), its housekeeping and the HTTP app; nothing listens yet. */
export function createService(opts: ServiceOptions) {
  const { config, log } = opts;
  const parts = config.queueBackend === "redis" ? createRedisBackend({ ...opts, clock: opts.clock ?? systemClock }) : embeddedParts(opts);
  const { backend, housekeeping } = parts;
  const metrics = createMetrics(backend);
  const app = createApp({
    backend,
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
    backend,
    /** this process's Runner, when it runs inference (always, embedded) */
    runner: parts.runner,
    start() {
      backend.start();
      housekeeping.start();
    },
    async stop() {
      housekeeping.stop();
      await backend.stop();
      await parts.close();
    },
    /** SIGTERM: stop taking work, let tasks finish for DRAIN_TIMEOUT_MS, then stop (embedded: cancel the rest). */
    async drain() {
      housekeeping.stop();
      const result = await backend.drain(config.drainTimeoutMs);
      await parts.close();
      return result;
    },
  };
}

export type Service = ReturnType<typeof createService>;
