import type { Config } from "../config/config";
import type { Clock } from "../domain/clock";
import type { ExecutorOptions } from "../executor/executor";
import type { SpawnWorker } from "../executor/worker-slot";
import type { Logger } from "../util/logger";
import type { ModelFile } from "../model/resolve-model";

/** What every backend factory is built from. */
export interface BackendDeps {
  config: Config;
  /** the models its workers load, the default first; none on a process that runs no inference (WORKERS=0) */
  models: ModelFile[];
  clock: Clock;
  log: Logger;
  /** how inference workers are made; tests hand in fixtures that crash or hang */
  spawn?: SpawnWorker;
  /** no worker could ever load the model; the process cannot serve */
  onFatal?: (reason: string) => void;
}

/** The executor's options from the configuration: the same for the embedded backend and every inference process. */
export function executorOptions({ config, models, clock, log, spawn, onFatal }: BackendDeps): ExecutorOptions {
  return {
    models,
    workers: config.workers,
    threadsPerWorker: config.threadsPerWorker,
    maxPixels: config.maxPixels,
    taskTimeoutMs: config.taskTimeoutMs,
    annotatedMaxSide: config.annotatedMaxSide,
    nice: config.inferenceNice,
    clock,
    log,
    spawn,
    onFatal,
  };
}

/** Something that starts and stops with a backend: an inference consumer, a reconciler. */
export interface Companion {
  start(): void;
  stop(): void | Promise<void>;
  /** finish what it holds for up to `timeoutMs`, then stop; plain stop() when absent */
  drain?(timeoutMs: number): Promise<void>;
}
