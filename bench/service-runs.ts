import { resolve } from "node:path";
import { loadConfig } from "../src/config/config";
import { type ServiceReport, serviceReport } from "../src/bench-kit/report";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import { args, backend, concurrency, redisLayout, requests } from "./args";
import type { BenchImage } from "./images";
import { runLoad } from "./load";
import { cpuBetween, type CpuUse, sampleCpu } from "./proc";
import { type BenchRedis, benchRedis, type RedisLayout, startRedisServer } from "./redis-service";
import { type BenchServer, startServer } from "./server";

const REPO = resolve(import.meta.dir, "..");

/** One Redis for the whole bench (each service run gets its own key prefix), started on first use. */
let redis: BenchRedis | undefined;
export const theRedis = async () => (redis ??= await benchRedis());
export const stopRedis = async () => redis?.stop();

/** What one load run measured: the service report, its peak RSS and the CPU by role. */
export type LoadRunReport = ServiceReport & { peak_rss_mb: number; cpu: CpuUse };

/** Which backend, in which layout, a service run measured (started by withServer). */
export type BackendInfo =
  | { kind: "embedded"; workers: number; ort_threads: number }
  | { kind: "redis"; api_workers: 0; inference_processes: number; workers_per_process: number; ort_threads: number; redis: "local" | "REDIS_URL" };

/** `n` uploads from --concurrency clients against a running service: throughput, latencies, peak RSS and CPU by role. */
export async function loadRun(server: { url: string; rssMb?: () => number; roles?: () => Record<string, number[]> }, images: BenchImage[], label: string, n = requests): Promise<LoadRunReport> {
  const bar = progressBar(`${label.padEnd(22)}`);
  let peakRss = server.rssMb?.() ?? Number.NaN;
  const roles = server.roles?.() ?? {};
  const cpuBefore = sampleCpu(roles);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, server.rssMb?.() ?? Number.NaN);
  }, 100);
  const { records, seconds } = await runLoad({
    url: server.url,
    images,
    requests: n,
    concurrency,
    pollMs: 25,
    follow: args.follow === "polling" ? "polling" : "events",
    onProgress: (done, total) => bar.update(done / total, `${done}/${total}`),
  });
  const cpu = cpuBetween(cpuBefore, sampleCpu(roles));
  clearInterval(sampler);
  bar.done();
  return { ...serviceReport(records, seconds, concurrency, label), peak_rss_mb: round(peakRss), cpu };
}

/** Starts the service on `on` (embedded: one start:prod; redis: API + inference processes), runs `fn`, stops it. */
export async function withServer<T>(
  env: Record<string, string>,
  fn: (s: BenchServer) => Promise<T>,
  on: { kind: "embedded" } | { kind: "redis"; layout: RedisLayout } = backend === "redis" ? { kind: "redis", layout: redisLayout } : { kind: "embedded" },
): Promise<T & { ready_ms: number; warm_ms: number; backend: BackendInfo }> {
  let server: BenchServer;
  let info: BackendInfo;
  if (on.kind === "redis") {
    const r = await theRedis();
    server = await startRedisServer(REPO, r, on.layout, env);
    const l = on.layout;
    info = { kind: "redis", api_workers: 0, inference_processes: l.processes, workers_per_process: l.workersPerProcess, ort_threads: l.ortThreads, redis: r.source };
  } else {
    server = await startServer(REPO, env);
    const c = loadConfig({ ...env });
    info = { kind: "embedded", workers: c.workers, ort_threads: c.threadsPerWorker };
  }
  try {
    return { ...(await fn(server)), ready_ms: round(server.readyMs), warm_ms: round(server.warmMs), backend: info };
  } finally {
    await server.stop();
  }
}
