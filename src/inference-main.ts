import { connectRedis } from "./backend/redis/connect";
import { createConsumer } from "./backend/redis/create-redis-backend";
import { redisKeys } from "./backend/redis/keys";
import { ConfigError, loadConfig } from "./config/config";
import { systemClock } from "./domain/clock";
import { resolveModel } from "./model/resolve-model";
import { jsonLogger } from "./util/logger";
import { drainOnSignals, logWhenReady, runMain } from "./util/process-lifecycle";
import { progressBar } from "./util/progress";

/**
 * `bun run worker`: an inference process with no HTTP server. It loads the
 * model into WORKERS Bun Workers and consumes the shared Redis queue that the
 * API replicas (QUEUE_BACKEND=redis) fill.
 */
async function main() {
  const t0 = performance.now();
  // An inference process only makes sense on the shared queue, whatever QUEUE_BACKEND says.
  const config = loadConfig({ ...process.env, QUEUE_BACKEND: "redis" });
  if (config.workers < 1) throw new ConfigError(["WORKERS must be at least 1 for an inference process"]);
  const log = jsonLogger(config.logLevel);
  const bar = progressBar("downloading model");
  const modelPath = await resolveModel({ ...config, onProgress: (fraction, bytes) => bar.update(fraction, `${(bytes / 1e6).toFixed(1)} MB`) });
  const subscriber = connectRedis(config.redisUrl!, "blocking", "yolo-inference-events");
  const { consumer, connections } = createConsumer(
    {
      config,
      modelPath,
      log,
      clock: systemClock,
      onFatal: (reason) => {
        console.error(`error: the model ${modelPath} could not be loaded: ${reason.replace(/^model failed to load: /, "")}`);
        process.exit(2);
      },
    },
    redisKeys(config.redisPrefix),
    subscriber,
  );
  consumer.start();
  log.info("inference process", { instance: consumer.instanceId, model: modelPath, workers: config.workers, ort_threads: config.threadsPerWorker, prefix: config.redisPrefix });
  logWhenReady(log, t0, () => consumer.runner.ready, () => ({ model: consumer.runner.model?.name }));
  drainOnSignals(
    log,
    () => ({ drain_timeout_ms: config.drainTimeoutMs }),
    async () => {
      await consumer.drain(config.drainTimeoutMs);
      for (const c of [subscriber, ...connections]) c.disconnect();
      return {};
    },
  );
}

runMain(main, "the inference process");
