import { loadConfig } from "./config/config";
import { MULTIPART_OVERHEAD_BYTES } from "./http/predict.controller";
import { resolveModel } from "./model/resolve-model";
import { createService } from "./service";
import { jsonLogger } from "./util/logger";
import { drainOnSignals, logWhenReady, runMain } from "./util/process-lifecycle";
import { progressBar } from "./util/progress";

/** `bun start`: configuration and model problems end the process with one clear line, not a stack. */
async function main() {
  const t0 = performance.now();
  const config = loadConfig();
  const log = jsonLogger(config.logLevel);
  const bar = progressBar("downloading model");
  // An API-only replica on Redis (WORKERS=0) runs no model: the inference processes have it.
  const apiOnly = config.queueBackend === "redis" && config.workers === 0;
  const modelPath = apiOnly
    ? ""
    : await resolveModel({ ...config, onProgress: (fraction, bytes) => bar.update(fraction, `${(bytes / 1e6).toFixed(1)} MB`) });
  const service = createService({
    config,
    modelPath,
    log,
    onFatal: (reason) => {
      console.error(`error: the model ${modelPath} could not be loaded: ${reason.replace(/^model failed to load: /, "")}`);
      process.exit(2);
    },
  });
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
  log.info("listening", { port: config.port, model: modelPath || "(inference processes)", backend: config.queueBackend, workers: config.workers, ort_threads: config.threadsPerWorker });

  logWhenReady(log, t0, () => !service.backend.notReadyReason(), () => ({ model: service.backend.model?.name }));
  drainOnSignals(
    log,
    () => ({ open_tasks: service.runner?.openTasks ?? 0, drain_timeout_ms: config.drainTimeoutMs }),
    async () => {
      const { canceled } = await service.drain();
      await service.app.stop();
      return { canceled };
    },
  );
}

runMain(main, "the service");
