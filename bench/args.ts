import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/config";
import type { RedisLayout } from "./redis-service";

/** `bun run bench`'s options (bench/run.ts lists them), checked once: a wrong one stops the bench with exit code 2. */
export const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    requests: { type: "string" },
    concurrency: { type: "string" },
    "limit-seconds": { type: "string" },
    sweep: { type: "boolean", default: false },
    perf: { type: "boolean", default: false },
    rect: { type: "boolean", default: false },
    tiles: { type: "boolean", default: false },
    fairness: { type: "boolean", default: false },
    models: { type: "boolean", default: false },
    imgsz: { type: "boolean", default: false },
    clients: { type: "string", default: "64" },
    "poll-ms": { type: "string", default: "50" },
    seconds: { type: "string" },
    parts: { type: "string" },
    overload: { type: "string" },
    ttl: { type: "string", default: "60" },
    follow: { type: "string", default: "events" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    backend: { type: "string", default: "embedded" },
    "inference-processes": { type: "string", default: "1" },
    "workers-per-process": { type: "string" },
    "ort-threads": { type: "string" },
    layouts: { type: "string" },
    rounds: { type: "string", default: "1" },
  },
});

export function positive(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

export const quick = args.quick;
export const requests = Number(args.requests ?? (quick ? 16 : 300));
/** clients at once: 32 unless --concurrency says (--tiles has its own default) */
export const concurrency = Number(args.concurrency ?? 32);
export const limitSeconds = Number(args["limit-seconds"] ?? (quick ? 1 : 8));
/** the service's own defaults (its layout, its annotated size) */
export const defaults = loadConfig({});
export const backend = args.backend as "embedded" | "redis" | "compare";
export const redisLayout: RedisLayout = {
  processes: positive("inference-processes", args["inference-processes"]),
  workersPerProcess: positive("workers-per-process", args["workers-per-process"] ?? String(defaults.workers)),
  ortThreads: positive("ort-threads", args["ort-threads"] ?? String(defaults.threadsPerWorker)),
};
export const rounds = positive("rounds", args.rounds);

const usage: string[] = [];
if (!["embedded", "redis", "compare"].includes(backend)) usage.push(`--backend must be embedded, redis or compare (got "${args.backend}")`);
if (args.url && backend !== "embedded") usage.push("--url measures a running service whatever its backend; leave out --backend");
if (args.sweep && backend !== "embedded") usage.push("--sweep tries layouts of the embedded backend; --backend compare --layouts tries Redis layouts");
if (args.overload && backend === "compare") usage.push("--overload runs on one backend: --backend embedded or redis");
if (usage.length) {
  console.error(usage.map((u) => `bench: ${u}`).join("\n"));
  process.exit(2);
}
