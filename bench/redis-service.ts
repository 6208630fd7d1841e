import type { Subprocess } from "bun";
import { connectRedis } from "../src/backend/redis/connect";
import { InferenceRegistry } from "../src/backend/redis/inference-registry";
import { redisKeys } from "../src/backend/redis/keys";
import { startLocalRedis } from "../src/tools/local-redis";
import { progressBar } from "../src/util/progress";
import { onInterrupt } from "./children";
import { freePort, waitUntilReady } from "../src/util/free-port";
import { type BenchServer, rssOf, spawnScript, stopChild, waitFor } from "./server";

export interface BenchRedis {
  url: string;
  /** "local" when the bench started it, "REDIS_URL" when it was given */
  source: "local" | "REDIS_URL";
  pid?: number;
  stop(): Promise<void>;
}

/** REDIS_URL when set, else a throwaway redis-server on a free loopback port (stopped with the bench, also on Ctrl-C). */
export async function benchRedis(): Promise<BenchRedis> {
  const given = process.env.REDIS_URL?.trim();
  if (given) return { url: given, source: "REDIS_URL", stop: async () => {} };
  const local = await startLocalRedis();
  const unregister = onInterrupt(() => local.stop(), local.pid);
  return {
    url: local.url,
    source: "local",
    pid: local.pid,
    async stop() {
      unregister();
      await local.stop();
    },
  };
}

export interface RedisLayout {
  /** `bun run inference:prod` processes */
  processes: number;
  /** WORKERS of each inference process */
  workersPerProcess: number;
  /** ORT_THREADS of every inference worker */
  ortThreads: number;
}

export interface RedisBenchServer extends BenchServer {
  prefix: string;
  layout: RedisLayout;
}

export const layoutName = (l: RedisLayout) => `${l.processes}×${l.workersPerProcess}${l.ortThreads > 1 ? `×${l.ortThreads}t` : ""}`;

/**
 * The Redis backend as it is deployed: one API replica (`bun run start:prod`,
 * QUEUE_BACKEND=redis, WORKERS=0: no inference of its own) and
 * `layout.processes` inference processes (`bun run inference:prod`), all on one
 * REDIS_PREFIX of their own. Ready when /health/ready answers 200, /health
 * counts every inference process, and every one of their workers is warm.
 */
export async function startRedisServer(repo: string, redis: BenchRedis, layout: RedisLayout, env: Record<string, string> = {}): Promise<RedisBenchServer> {
  const prefix = `bench:${crypto.randomUUID().slice(0, 8)}`;
  const common = { QUEUE_BACKEND: "redis", REDIS_URL: redis.url, REDIS_PREFIX: prefix, ORT_THREADS: String(layout.ortThreads), ...env };
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const bar = progressBar(`start redis ${layoutName(layout)}`.padEnd(22));
  const t0 = performance.now();

  const inference = Array.from({ length: layout.processes }, () => spawnScript(repo, "inference:prod", { ...common, WORKERS: String(layout.workersPerProcess) }));
  const api = spawnScript(repo, "start:prod", { ...common, PORT: String(port), WORKERS: "0" });
  const all: Subprocess[] = [api, ...inference];
  // Fails fast rather than waiting for Redis: the readiness loop retries.
  const registry = connectRedis(redis.url, "api", "yolo-bench");
  const beats = new InferenceRegistry(registry, redisKeys(prefix));

  const stopAll = async () => {
    // The API first (it stops taking uploads), then the inference processes, then this prefix's keys.
    const code = await stopChild(api);
    await Promise.all(inference.map((c) => stopChild(c)));
    if (redis.source === "REDIS_URL") await deleteKeys(registry, prefix).catch(() => {});
    registry.disconnect();
    return code;
  };
  const unregister = onInterrupt(stopAll);

  let readyMs: number;
  try {
    await waitUntilReady(`${url}/health/ready`, { get exitCode() { return all.find((c) => c.exitCode !== null)?.exitCode ?? null; } }, 90_000);
    readyMs = performance.now() - t0;
    const expected = layout.processes * layout.workersPerProcess;
    await waitFor(`${layout.processes} inference processes with ${expected} warm workers`, all, 90_000, async () => {
      const health = (await (await fetch(`${url}/health`)).json()) as { backend?: { inference_processes?: number } };
      const alive = await beats.alive();
      const warm = alive.reduce((n, b) => n + b.ready, 0);
      bar.update(undefined, `processes ${health.backend?.inference_processes ?? 0}/${layout.processes}, warm workers ${warm}/${expected}`);
      return health.backend?.inference_processes === layout.processes && alive.length === layout.processes && warm === expected;
    });
  } catch (err) {
    bar.done("failed");
    unregister();
    await stopAll();
    throw err;
  }
  const warmMs = performance.now() - t0;
  bar.done(`ready ${Math.round(readyMs)} ms, all warm ${Math.round(warmMs)} ms`);
  return {
    url,
    pid: api.pid,
    prefix,
    layout,
    readyMs,
    warmMs,
    rssMb: () => all.reduce((mb, c) => mb + rssOf(c.pid), 0),
    roles: () => ({ api: [api.pid], inference: inference.map((c) => c.pid), ...(redis.pid ? { redis: [redis.pid] } : {}) }),
    async stop() {
      unregister();
      return stopAll();
    },
  };
}

/** Removes one bench run's keys from a Redis the bench did not start. */
async function deleteKeys(redis: ReturnType<typeof connectRedis>, prefix: string) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
}
