
/**
 * Every environment variable the service reads, as data: the one place their
 * types, ranges, defaults and meanings are written. loadConfig (config.ts)
 * parses the environment from it, and src/tools/docs-tables.ts writes
 * README's configuration table from it.
 */

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export const QUEUE_BACKENDS = ["embedded", "redis"] as const;

/**
 * Where `bun start` downloads the default model when none is on disk: a public
 * YOLOv8n ONNX export (80 COCO classes, [1,3,640,640] → [1,84,8400]) pinned to
 * a commit and checked by sha256. Provenance in models/README.md.
 */
export const DEFAULT_MODEL_URL =
  "https://huggingface.co/webml/yolov8n/resolve/85bc8d7ab30d4065a41909d756c42819b67b4388/onnx/yolov8n.onnx";
export const DEFAULT_MODEL_SHA256 = "190ba5f1e61411a001683e349d6b2cdb0804c0dc67a5e34cd8ff6fd00ee54b4d";

/** What a computed default may look at: the machine, and the raw environment. */
export interface DefaultContext {
  cores: number;
  env: Env;
}

/** A default that depends on the machine or on another variable: computed at start, documented in words. */
export interface ComputedDefault<T> {
  words: string;
  compute: (ctx: DefaultContext) => T;
}

/** Another variable's value, by which a rule applies. */
export interface Condition {
  variable: string;
  equals: string;
}

interface VariableBase {
  name: string;
  /** the Config field it fills */
  key: keyof Config;
  /** README's "meaning" column */
  description: string;
  /** unset is a problem when the condition holds; `example` shows a value that would do */
  requiredWhen?: Condition & { example: string };
}

export interface IntVariable extends VariableBase {
  type: "int";
  min: number;
  max: number;
  default: number | ComputedDefault<number>;
  /** what one unit of the variable is, for README */
  unit?: "seconds" | "ms" | "bytes" | "pixels" | "tasks" | "threads" | "workers" | "times";
  /** multiplier from the variable's unit to its Config field's (seconds → ms: 1000) */
  scale?: number;
  /** a lower minimum that applies while the condition holds */
  lowerMinWhen?: Condition & { min: number };
}

export interface EnumVariable extends VariableBase {
  type: "enum";
  values: readonly string[];
  default: string;
}

/** Free text, trimmed; blank counts as unset. */
export interface StringVariable extends VariableBase {
  type: "string";
  default?: string;
}

/** A URL whose scheme is checked. Never echoed in a problem: it may carry a password. */
export interface UrlVariable extends VariableBase {
  type: "url";
  schemes: readonly string[];
  default?: string;
  /** how README names the default, when the URL itself is too long to show */
  defaultWords?: string;
}

/** A hex digest, normalised to lower case. */
export interface Sha256Variable extends VariableBase {
  type: "sha256";
  default: ComputedDefault<string | undefined>;
}

/** Comma-separated values; `*` anywhere in it, or nothing at all, means any. */
export interface ListVariable extends VariableBase {
  type: "list";
}

export type Variable = IntVariable | EnumVariable | StringVariable | UrlVariable | Sha256Variable | ListVariable;

/**
 * One more single-threaded worker than cores: while the others run the model,
 * one decodes and annotates, so no core idles. On 2 cores, 3 × 1 beat 2 × 1 by
 * about 4 % and 1 × 2 by 40 % (docs/BENCHMARKS.md). Capped for memory: each
 * worker holds its own session.
 */
export function defaultLayout(cores: number) {
  return { workers: Math.min(Math.max(1, cores) + 1, 9), threads: 1 };
}

const ON_REDIS: Condition = { variable: "QUEUE_BACKEND", equals: "redis" };
const MiB = 1024 * 1024;

export const VARIABLES = [
  { name: "PORT", key: "port", type: "int", min: 0, max: 65535, default: 7860, description: "HTTP port" },
  { name: "MODEL_PATH", key: "modelPath", type: "string", description: 'the ONNX model; without it, see "The model" below' },
  {
    name: "MODEL_URL", key: "modelUrl", type: "url", schemes: ["https", "http"], default: DEFAULT_MODEL_URL, defaultWords: "pinned YOLOv8n (below)",
    description: "where to download the model when none is on disk",
  },
  {
    name: "MODEL_SHA256", key: "modelSha256", type: "sha256",
    // The default checksum belongs to the default URL only.
    default: { words: "checksum of the default model; none with your own `MODEL_URL`", compute: ({ env }) => (env.MODEL_URL?.trim() ? undefined : DEFAULT_MODEL_SHA256) },
    description: "checked after a download; set it with your own `MODEL_URL`",
  },
  {
    name: "WORKERS", key: "workers", type: "int", min: 1, max: 64, unit: "workers",
    // On Redis an API replica may run no inference at all: `bun run inference` processes do it.
    lowerMinWhen: { ...ON_REDIS, min: 0 },
    default: { words: "cores + 1, at most 9 (3 on 2 cores)", compute: ({ cores }) => defaultLayout(cores).workers },
    description: "inference workers (Bun Workers, one ONNX session each); with `QUEUE_BACKEND=redis`, `0` makes an API-only replica",
  },
  {
    name: "ORT_THREADS", key: "threadsPerWorker", type: "int", min: 1, max: 64, unit: "threads",
    default: { words: "1 (`WORKERS` gives the parallelism)", compute: ({ cores }) => defaultLayout(cores).threads },
    description: "ONNX Runtime intra-op threads per worker",
  },
  {
    name: "TASK_TTL_S", key: "taskTtlMs", type: "int", min: 1, max: 7 * 24 * 3600, default: 300, unit: "seconds", scale: 1000,
    description: "finished tasks are deleted this long after their last change (on Redis: key expiry)",
  },
  {
    name: "GC_INTERVAL_S", key: "gcIntervalMs", type: "int", min: 1, max: 24 * 3600, default: 60, unit: "seconds", scale: 1000,
    description: "how often the garbage collector runs (embedded backend only)",
  },
  {
    name: "TASK_TIMEOUT_MS", key: "taskTimeoutMs", type: "int", min: 100, max: 3_600_000, default: 60_000, unit: "ms",
    description: "a task running longer fails with `timeout`; its worker is replaced",
  },
  {
    name: "MAX_UPLOAD_BYTES", key: "maxUploadBytes", type: "int", min: 1024, max: 1024 * MiB, default: 20 * MiB, unit: "bytes",
    description: "larger uploads get `413` (checked from Content-Length before reading)",
  },
  {
    name: "MAX_PIXELS", key: "maxPixels", type: "int", min: 64 * 64, max: 1_000_000_000, default: 40_000_000, unit: "pixels",
    description: "images with more pixels get `422` (checked from the header)",
  },
  {
    name: "ANNOTATED_MAX_SIDE", key: "annotatedMaxSide", type: "int", min: 0, max: 100_000, default: 1280, unit: "pixels",
    description: "the annotated image is shrunk to fit this (boxes stay in original pixels); 0 keeps full size",
  },
  { name: "QUEUE_MAX", key: "queueMax", type: "int", min: 1, max: 100_000, default: 100, unit: "tasks", description: "most tasks waiting; more uploads get `429`" },
  {
    // 256 MiB: with results kept TASK_TTL_S (300 s) at ~14 images/s, this cap, not the TTL,
    // bounds memory; the process stays under 1 GB (docs/BENCHMARKS.md).
    name: "MAX_STORE_BYTES", key: "maxStoreBytes", type: "int", min: MiB, max: 64 * 1024 * MiB, default: 256 * MiB, unit: "bytes",
    description:
      "most bytes all tasks may hold (uploads waiting, annotated JPEGs kept for `TASK_TTL_S`; on Redis, uploads of unfinished tasks only); more uploads get `429`",
  },
  {
    name: "DRAIN_TIMEOUT_MS", key: "drainTimeoutMs", type: "int", min: 0, max: 3_600_000, default: 30_000, unit: "ms",
    description: "on SIGTERM, how long queued and running tasks get to finish (the image sets 8000)",
  },
  { name: "API_KEY", key: "apiKey", type: "string", description: "when set, uploads and cancels need it" },
  { name: "CORS_ORIGINS", key: "corsOrigins", type: "list", description: "origins a browser may call the API from (CORS)" },
  { name: "LOG_LEVEL", key: "logLevel", type: "enum", values: LOG_LEVELS, default: "info", description: "the least severe log lines written" },
  {
    name: "QUEUE_BACKEND", key: "queueBackend", type: "enum", values: QUEUE_BACKENDS, default: "embedded",
    description: "`embedded` (tasks and queue in this process) or `redis` (shared; see [Scaling out](#scaling-out))",
  },
  {
    name: "REDIS_URL", key: "redisUrl", type: "url", schemes: ["redis", "rediss"], requiredWhen: { ...ON_REDIS, example: "redis://127.0.0.1:6379" },
    description: "the Redis to use (a password goes in the URL)",
  },
  {
    name: "REDIS_PREFIX", key: "redisPrefix", type: "string", default: "yolo",
    description: "namespace of every Redis key, so several deployments can share one Redis",
  },
  {
    name: "JOB_LOCK_MS", key: "jobLockMs", type: "int", min: 1000, max: 600_000, default: 30_000, unit: "ms",
    description: "Redis backend: how long an inference process may go without renewing a job's lock before the job counts as stalled and is taken over",
  },
  {
    name: "JOB_MAX_STALLS", key: "jobMaxStalls", type: "int", min: 0, max: 10, default: 1, unit: "times",
    description: "Redis backend: how many times a job may be taken over from a stopped inference process before its task fails with `worker_lost`",
  },
] as const satisfies readonly Variable[];

/** The validated configuration (src/config/config.ts reads it from the environment with the table below). */
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
  logLevel: (typeof LOG_LEVELS)[number];
  /** where tasks and the queue live: this process (default) or Redis, shared by replicas */
  queueBackend: (typeof QUEUE_BACKENDS)[number];
  /** Redis for QUEUE_BACKEND=redis */
  redisUrl?: string;
  /** namespace of every Redis key, so several deployments can share one Redis */
  redisPrefix: string;
  /** how long an inference process holds a job without renewing its lock before it counts as dead */
  jobLockMs: number;
  /** times a job may lose its inference process and be taken over before it fails with worker_lost */
  jobMaxStalls: number;
}
