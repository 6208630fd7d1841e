import { availableParallelism } from "node:os";

/**
 * All configuration comes from the environment and is validated here, once,
 * at start: a bad value stops the service with every problem listed.
 */
export interface Config {
  port: number;
  /** explicit model file; otherwise the resolver searches (see src/model/resolve-model.ts) */
  modelPath?: string;
  modelUrl: string;
  modelSha256?: string;
  workers: number;
  threadsPerWorker: number;
  taskTtlMs: number;
  gcIntervalMs: number;
  taskTimeoutMs: number;
  maxUploadBytes: number;
  maxPixels: number;
  /** longest side of the annotated image; larger photos get a shrunk copy (0: full size) */
  annotatedMaxSide: number;
  /** where uploads are decoded and letterboxed: "worker" (default) or "main" (measured in docs/BENCHMARKS.md) */
  preprocessIn: "worker" | "main";
  /** most tasks waiting in the queue; more are refused with 429 */
  queueMax: number;
  /** most bytes all tasks may hold (uploads and results); more are refused with 429 */
  maxStoreBytes: number;
  /** on SIGTERM, how long queued and running tasks get to finish */
  drainTimeoutMs: number;
  /** when set, uploads and cancels need it (Bearer or X-API-Key) */
  apiKey?: string;
  /** allowed CORS origins; "*" for any */
  corsOrigins: string[] | "*";
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** where tasks and the queue live: this process (default) or Redis, shared by replicas */
  queueBackend: "embedded" | "redis";
  /** Redis for QUEUE_BACKEND=redis */
  redisUrl?: string;
  /** namespace of every Redis key, so several deployments can share one Redis */
  redisPrefix: string;
  /** how long an inference process holds a job without renewing its lock before it counts as dead */
  jobLockMs: number;
  /** times a job may lose its inference process and be taken over before it fails with worker_lost */
  jobMaxStalls: number;
}

/**
 * Where `bun start` downloads the default model when none is on disk: a public
 * YOLOv8n ONNX export (80 COCO classes, [1,3,640,640] → [1,84,8400]) pinned to
 * a commit and checked by sha256. Provenance in models/README.md.
 */
export const DEFAULT_MODEL_URL =
  "https://huggingface.co/webml/yolov8n/resolve/85bc8d7ab30d4065a41909d756c42819b67b4388/onnx/yolov8n.onnx";
export const DEFAULT_MODEL_SHA256 = "190ba5f1e61411a001683e349d6b2cdb0804c0dc67a5e34cd8ff6fd00ee54b4d";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * One more single-threaded worker than cores: while the others run the model,
 * one decodes and annotates, so no core idles. On 2 cores, 3 × 1 beat 2 × 1 by
 * about 4 % and 1 × 2 by 40 % (docs/BENCHMARKS.md). Capped for memory: each
 * worker holds its own session.
 */
function defaultLayout(cores: number) {
  return { workers: Math.min(Math.max(1, cores) + 1, 9), threads: 1 };
}

function parseOrigins(raw: string | undefined): string[] | "*" {
  const list = (raw ?? "*").split(",").map((s) => s.trim()).filter(Boolean);
  return list.length === 0 || list.includes("*") ? "*" : list;
}

export function loadConfig(env: Env = process.env, cores = availableParallelism()): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const layout = defaultLayout(cores);
  const logLevel = (env.LOG_LEVEL ?? "info") as Config["logLevel"];
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of debug, info, warn, error, silent (got "${env.LOG_LEVEL}")`);
  }
  const customUrl = env.MODEL_URL?.trim() || undefined;
  // The default checksum belongs to the default URL only.
  const sha = env.MODEL_SHA256?.trim().toLowerCase() || (customUrl ? undefined : DEFAULT_MODEL_SHA256);
  if (sha && !/^[0-9a-f]{64}$/.test(sha)) problems.push("MODEL_SHA256 must be 64 hex digits");
  const queueBackend = oneOf("QUEUE_BACKEND", ["embedded", "redis"] as const, "embedded");
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (queueBackend === "redis" && !redisUrl) problems.push("REDIS_URL is required when QUEUE_BACKEND=redis (e.g. redis://127.0.0.1:6379)");
  // Not echoed: the URL may carry a password.
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push("REDIS_URL must start with redis:// or rediss://");
  const config: Config = {
    port: int("PORT", 7860, 0, 65535),
    modelPath: env.MODEL_PATH?.trim() || undefined,
    modelUrl: customUrl ?? DEFAULT_MODEL_URL,
    modelSha256: sha,
    // On Redis an API replica may run no inference at all: `bun run worker` processes do it.
    workers: int("WORKERS", layout.workers, queueBackend === "redis" ? 0 : 1, 64),
    threadsPerWorker: int("ORT_THREADS", layout.threads, 1, 64),
    taskTtlMs: int("TASK_TTL_S", 300, 1, 7 * 24 * 3600) * 1000,
    gcIntervalMs: int("GC_INTERVAL_S", 60, 1, 24 * 3600) * 1000,
    taskTimeoutMs: int("TASK_TIMEOUT_MS", 60_000, 100, 3_600_000),
    maxUploadBytes: int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxPixels: int("MAX_PIXELS", 40_000_000, 64 * 64, 1_000_000_000),
    annotatedMaxSide: int("ANNOTATED_MAX_SIDE", 1280, 0, 100_000),
    preprocessIn: oneOf("PREPROCESS", ["worker", "main"] as const, "worker"),
    queueMax: int("QUEUE_MAX", 100, 1, 100_000),
    // 256 MiB: with results kept TASK_TTL_S (300 s) at ~14 images/s, this cap, not the TTL,
    // bounds memory; the process stays under 1 GB (docs/BENCHMARKS.md).
    maxStoreBytes: int("MAX_STORE_BYTES", 256 * 1024 * 1024, 1024 * 1024, 64 * 1024 * 1024 * 1024),
    drainTimeoutMs: int("DRAIN_TIMEOUT_MS", 30_000, 0, 3_600_000),
    apiKey: env.API_KEY?.trim() || undefined,
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    logLevel,
    queueBackend,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX?.trim() || "yolo",
    jobLockMs: int("JOB_LOCK_MS", 30_000, 1000, 600_000),
    jobMaxStalls: int("JOB_MAX_STALLS", 1, 0, 10),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
