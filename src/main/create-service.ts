import type { BackendDeps } from "../backend/backend-deps";
import { createBackend } from "../backend/create-backend";
import { systemClock } from "../domain/clock";
import { createApp } from "../http/app";
import { createMetrics } from "../metrics/metrics";

export type ServiceOptions = Omit<BackendDeps, "clock"> & Partial<Pick<BackendDeps, "clock">>;

/** Wires the backend (QUEUE_BACKEND) and the HTTP app; nothing listens yet. */
export function createService(opts: ServiceOptions) {
  const { config, log } = opts;
  const backend = createBackend({ ...opts, clock: opts.clock ?? systemClock });
  const metrics = createMetrics(backend);
  const app = createApp({
    backend,
    metrics,
    log,
    maxUploadBytes: config.maxUploadBytes,
    maxPixels: config.maxPixels,
    queueMax: config.queueMax,
    maxStoreBytes: config.maxStoreBytes,
    maxInflightBytes: config.maxInflightBytes,
    uploadTimeoutMs: config.uploadTimeoutMs,
    // API_KEY is one more key, whose client is named "default".
    apiKeys: [...(config.apiKey ? [{ name: "default", key: config.apiKey }] : []), ...config.apiKeys],
    trustProxyHops: config.trustProxyHops,
    corsOrigins: config.corsOrigins,
  });
  return {
    app,
    backend,
    start: () => backend.start(),
    stop: () => backend.stop(),
    /** SIGTERM: stop taking work, let tasks finish for DRAIN_TIMEOUT_MS, then stop (embedded: cancel the rest). */
    drain: () => backend.drain(config.drainTimeoutMs),
  };
}

export type Service = ReturnType<typeof createService>;
