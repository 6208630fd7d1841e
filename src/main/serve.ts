import { MULTIPART_OVERHEAD_BYTES } from "../http/predict.controller";
import { createService } from "./create-service";
import { drainOnSignals, logWhenReady, runMain, startUp } from "./lifecycle";

/** `bun start`: the HTTP service (and, with WORKERS > 0, its inference workers). */
async function main() {
  // An API-only replica on Redis (WORKERS=0) runs no model: the inference processes have it.
  const { startedAt, config, log, models, onFatal } = await startUp(process.env, (c) => c.workers > 0);
  const service = createService({ config, models, log, onFatal });
  service.start();
  service.app.listen({
    port: config.port,
    hostname: "0.0.0.0",
    // Bun answers an over-limit body with an empty 413 before any route runs, so
    // its ceiling sits well above ours: the predict route enforces
    // MAX_UPLOAD_BYTES itself with a problem+json body, and Bun's limit only
    // stops absurd bodies.
    maxRequestBodySize: Math.max(4 * (config.maxUploadBytes + MULTIPART_OVERHEAD_BYTES), 64 * 1024 * 1024),
  });
  const named = models.map((m) => `${m.name}=${m.path}`).join(", ");
  log.info("listening", { port: config.port, models: named || "(inference processes)", backend: config.queueBackend, workers: config.workers, ort_threads: config.threadsPerWorker });
  logWhenReady(log, startedAt, () => !service.backend.notReadyReason(), () => ({ models: service.backend.models?.map((m) => m.name).join(", ") }));
  drainOnSignals(
    log,
    async () => {
      const { tasks } = await service.backend.health().catch(() => ({ tasks: {} as Record<string, number> }));
      return { open_tasks: (tasks.pending ?? 0) + (tasks.processing ?? 0), drain_timeout_ms: config.drainTimeoutMs };
    },
    async () => {
      const { canceled } = await service.drain();
      await service.app.stop();
      return { canceled };
    },
  );
}

runMain(main, "the service");
