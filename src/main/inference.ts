import { createInferenceConsumer } from "../backend/redis/create-redis-backend";
import { connectRedis } from "../backend/redis/connect";
import { redisKeys } from "../backend/redis/keys";
import { ConfigError } from "../config/config";
import { systemClock } from "../domain/clock";
import { drainOnSignals, logWhenReady, runMain, startUp } from "./lifecycle";

/**
 * `bun run inference`: an inference process with no HTTP server. It loads its
 * models (MODELS, or the one model) into each of WORKERS Bun Workers and consumes the shared Redis queue that the
 * API replicas (QUEUE_BACKEND=redis) fill.
 */
async function main() {
  // An inference process only makes sense on the shared queue, whatever QUEUE_BACKEND says.
  const env = { ...process.env, QUEUE_BACKEND: "redis" };
  const { startedAt, config, log, models, onFatal } = await startUp(env, (c) => {
    if (c.workers < 1) throw new ConfigError(["WORKERS must be at least 1 for an inference process"]);
    return true;
  });
  const subscriber = connectRedis(config.redisUrl!, "blocking", "yolo-inference-events");
  const { executor, consumer, connections } = createInferenceConsumer({ config, models, log, clock: systemClock, onFatal }, redisKeys(config.redisPrefix), subscriber);
  consumer.start();
  log.info("inference process", { instance: consumer.instanceId, models: models.map((m) => `${m.name}=${m.path}`).join(", "), workers: config.workers, ort_threads: config.threadsPerWorker, prefix: config.redisPrefix });
  logWhenReady(log, startedAt, () => executor.ready, () => ({ models: executor.models?.map((m) => m.name).join(", ") }));
  drainOnSignals(
    log,
    async () => ({ drain_timeout_ms: config.drainTimeoutMs }),
    async () => {
      await consumer.drain(config.drainTimeoutMs);
      for (const c of [subscriber, ...connections]) c.disconnect();
      return {};
    },
  );
}

runMain(main, "the inference process");
