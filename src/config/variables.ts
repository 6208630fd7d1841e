/**
 * Every environment variable the service reads, as data: the one place their
 * types, ranges, defaults and meanings are written. loadConfig (config.ts)
 * parses the environment from it, and src/tools/docs-tables.ts writes
 * docs/configuration.md's table from it.
 */

import { type Condition, LOG_LEVELS, QUEUE_BACKENDS, type Variable } from "./variable-types";

export type { Config, Env, IntVariable, NamedKey, Variable } from "./variable-types";
export { LOG_LEVELS, QUEUE_BACKENDS };

/**
 * Where `bun start` downloads the default model when none is on disk: a public
 * YOLOv8n ONNX export (80 COCO classes, [1,3,640,640] → [1,84,8400]) pinned to
 * a commit and checked by sha256. Provenance in models/README.md.
 */
export const DEFAULT_MODEL_URL =
  "https://huggingface.co/webml/yolov8n/resolve/85bc8d7ab30d4065a41909d756c42819b67b4388/onnx/yolov8n.onnx";
export const DEFAULT_MODEL_SHA256 = "190ba5f1e61411a001683e349d6b2cdb0804c0dc67a5e34cd8ff6fd00ee54b4d";

/**
 * One more single-threaded worker than cores: while the others run the model,
 * one decodes and annotates, so no core idles. On 2 cores, 3 × 1 beat 2 × 1 by
 * about 4 % and 1 × 2 by 40 % (docs/BENCHMARKS.md). Capped for memory: each
 * worker holds its own session.
 */
export function defaultLayout(cores: number) {
  return { workers: Math.min(Math.max(1, cores) + 1, 9), threads: 1 };
}

/**
 * A byte budget that fits the box: `cap`, or an eighth of the memory the
 * process may use when that is less. The models and workers take ~600 MB on
 * their own; in a 1 GiB container (the image's test runs one) the uploads
 * in flight and the tasks held get 128 MiB each, and a burst of 12 MP photos
 * is refused with 429s instead of being killed by the kernel.
 */
export function memoryBudget(cap: number, memoryBytes: number): number {
  return Math.max(MiB, Math.min(cap, Math.floor(memoryBytes / 8)));
}

/** memoryBudget as a variable's default, with the words docs/configuration.md shows for it. */
function memoryBudgetDefault(cap: number, capWords: string) {
  return { words: `${capWords}, or an eighth of the memory limit when less`, compute: ({ memoryBytes }: { memoryBytes: number }) => memoryBudget(cap, memoryBytes) };
}

const ON_REDIS: Condition = { variable: "QUEUE_BACKEND", equals: "redis" };
const QUEUE_MAX_DEFAULT = 100;
/** One client's share of the queue by default: a quarter, so four clients can fill it. */
const clientQueueMaxFor = (queueMax: number) => Math.max(1, Math.floor(queueMax / 4));
const MiB = 1024 * 1024;

export const VARIABLES = [
  { name: "PORT", key: "port", type: "int", min: 0, max: 65535, default: 7860, description: "HTTP port" },
  {
    name: "MODELS", key: "models", type: "models",
    description: "several models, chosen per request with `model`: `name=path` or `name=https://…#sha256=<hex>`, comma-separated, the first the default (README.md, \"Several models\"); instead of `MODEL_PATH`",
  },
  { name: "MODEL_PATH", key: "modelPath", type: "string", description: 'the ONNX model; without it, see README.md, "The model"' },
  {
    name: "MODEL_URL", key: "modelUrl", type: "url", schemes: ["https", "http"], default: DEFAULT_MODEL_URL, defaultWords: "pinned YOLOv8n (models/README.md)",
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
    name: "INFERENCE_NICE", key: "inferenceNice", type: "int", min: 0, max: 19, default: 10,
    description: "how far inference threads (the workers and their image decoding) are lowered below the HTTP thread, so uploads and polls never wait behind the model; 0 keeps one priority (Linux)",
  },
  {
    name: "TASK_TTL_S", key: "taskTtlMs", type: "int", min: 1, max: 7 * 24 * 3600, default: 300, unit: "seconds", scale: 1000,
    description: "finished tasks are deleted this long after their last change (on Redis: key expiry)",
  },
  {
    name: "GC_INTERVAL_S", key: "gcIntervalMs", type: "int", min: 1, max: 24 * 3600, default: 60, unit: "seconds", scale: 1000,
    description: "how often finished tasks past TASK_TTL_S are swept (embedded backend only)",
  },
  {
    name: "TASK_TIMEOUT_MS", key: "taskTimeoutMs", type: "int", min: 100, max: 3_600_000, default: 60_000, unit: "ms",
    description: "a task running longer fails with `timeout`; its worker is replaced",
  },
  {
    name: "MAX_UPLOAD_BYTES", key: "maxUploadBytes", type: "int", min: 1024, max: 1024 * MiB, default: 20 * MiB, unit: "bytes",
    description: "larger uploads get `413` (checked from Content-Length before reading): a request's body, whatever it holds (several files, base64 in JSON: its decoded bytes), and an image fetched by URL (`422 image_url_too_large`)",
  },
  {
    name: "MAX_IMAGES_PER_REQUEST", key: "maxImagesPerRequest", type: "int", min: 1, max: 100, default: 16, unit: "images",
    description: "most images one `POST /predict` may hold (files, URLs or base64 images): more get `422 too_many_images`, the request refused whole",
  },
  {
    name: "MAX_PIXELS", key: "maxPixels", type: "int", min: 64 * 64, max: 1_000_000_000, default: 40_000_000, unit: "pixels",
    description: "images with more pixels get `422` (checked from the header)",
  },
  {
    name: "ANNOTATED_MAX_SIDE", key: "annotatedMaxSide", type: "int", min: 0, max: 100_000, default: 1280, unit: "pixels",
    description: "the annotated image is shrunk to fit this (boxes stay in original pixels); 0 keeps full size",
  },
  { name: "QUEUE_MAX", key: "queueMax", type: "int", min: 1, max: 100_000, default: QUEUE_MAX_DEFAULT, unit: "tasks", description: "most tasks waiting; more uploads get `429`" },
  {
    // 256 MiB: with results kept TASK_TTL_S (300 s) at ~14 images/s, this cap, not the TTL,
    // bounds memory; the process stays under 1 GB (docs/BENCHMARKS.md).
    name: "MAX_STORE_BYTES", key: "maxStoreBytes", type: "int", min: MiB, max: 64 * 1024 * MiB, unit: "bytes",
    default: memoryBudgetDefault(256 * MiB, "256 MiB"),
    description:
      "most bytes all tasks may hold (uploads waiting, annotated JPEGs kept for `TASK_TTL_S`; on Redis, uploads of unfinished tasks only); more uploads get `429`",
  },
  {
    name: "DRAIN_TIMEOUT_MS", key: "drainTimeoutMs", type: "int", min: 0, max: 3_600_000, default: 30_000, unit: "ms",
    description: "on SIGTERM, how long queued and running tasks get to finish (the image sets 8000)",
  },
  { name: "API_KEY", key: "apiKey", type: "string", description: "when set, uploads and cancels need it (its client is named `default`)" },
  {
    name: "API_KEYS", key: "apiKeys", type: "keys",
    description: "`name:key` pairs, comma-separated: uploads and cancels need one of the keys (or `API_KEY`), and each name is one client for the fair queue",
  },
  {
    name: "TRUST_PROXY_HOPS", key: "trustProxyHops", type: "int", min: 0, max: 10, default: 0, unit: "proxies",
    description:
      "reverse proxies in front of the service (a Space: 1; the Docker image sets 1): a keyless client is the `X-Forwarded-For` address this many hops back; 0 never reads the header and uses the connection's address",
  },
  {
    name: "CLIENT_QUEUE_MAX", key: "clientQueueMax", type: "int", min: 1, max: 100_000, unit: "tasks",
    default: {
      words: `a quarter of \`QUEUE_MAX\` (${clientQueueMaxFor(QUEUE_MAX_DEFAULT)}), at least 1`,
      // The raw value: a QUEUE_MAX the loader refuses stops the start anyway, with its own message.
      compute: ({ env }) => clientQueueMaxFor(Number(env.QUEUE_MAX) || QUEUE_MAX_DEFAULT),
    },
    description: "most tasks one client may have waiting while other clients wait too (alone, a client may use the queue but the newcomers' tenth); more get `429 client_queue_full` while the others are still admitted",
  },
  {
    // 1 GiB on a 16 GB Space: see docs/operations.md, "Memory of uploads in flight".
    name: "MAX_INFLIGHT_BYTES", key: "maxInflightBytes", type: "int", min: MiB, max: 64 * 1024 * MiB, unit: "bytes",
    default: memoryBudgetDefault(1024 * MiB, "1 GiB"),
    description:
      "most bytes of request bodies being received at once (a declared `Content-Length` is reserved before reading; one client may hold half); more uploads get `429 inflight_full`",
  },
  {
    name: "UPLOAD_TIMEOUT_MS", key: "uploadTimeoutMs", type: "int", min: 100, max: 3_600_000, default: 60_000, unit: "ms",
    description: "an upload body must arrive within this, or its connection is closed (`408`) and its reservation released",
  },
  {
    // At most a minute: a request's URLs are fetched together within it, and its Idempotency-Key is held
    // for the fetch plus a Prefer: wait (HOLD_MS, src/backend/idempotency.ts).
    name: "IMAGE_URL_TIMEOUT_MS", key: "imageUrlTimeoutMs", type: "int", min: 100, max: 60_000, default: 15_000, unit: "ms",
    description: "an image given by `url` must have arrived within this (connecting within the smaller of it and 5 s), or the upload gets `422 image_url_timeout`; a request's URLs are fetched together",
  },
  {
    name: "IMAGE_URL_ALLOW_PRIVATE", key: "imageUrlAllowPrivate", type: "bool", default: false,
    description: "lets `url` reach loopback, private, link-local and other non-public addresses (private deployments, tests); otherwise only public addresses, checked on every hop's connection",
  },
  { name: "CORS_ORIGINS", key: "corsOrigins", type: "list", description: "origins a browser may call the API from (CORS)" },
  {
    name: "EVENTS_MAX_SUBSCRIBERS", key: "eventsMaxSubscribers", type: "int", min: 1, max: 10_000, default: 100, unit: "requests",
    description: "most listeners of the service-wide event stream (`GET /events`, the demo page's live panel) at once; more get `503 too_many_subscribers`",
  },
  {
    name: "CONTACT_URL", key: "contactUrl", type: "url", schemes: ["https", "http"],
    description: "where the API's users reach whoever runs it (an issue tracker, a Space's discussions): the OpenAPI document's `info.contact`",
  },
  { name: "LOG_LEVEL", key: "logLevel", type: "enum", values: LOG_LEVELS, default: "info", description: "the least severe log lines written" },
  {
    name: "QUEUE_BACKEND", key: "queueBackend", type: "enum", values: QUEUE_BACKENDS, default: "embedded",
    description: "`embedded` (tasks and queue in this process) or `redis` (shared; see [Scaling out](scaling-out.md))",
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
  {
    name: "WEBHOOK_SECRET", key: "webhookSecret", type: "secret", pattern: /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, hint: "`whsec_` + base64 of 24 to 64 random bytes",
    description: "signs webhooks (Standard Webhooks); without it a `webhook` field is refused with `422 webhooks_disabled`. Every replica needs the same one",
  },
  {
    name: "WEBHOOK_ALLOW_PRIVATE", key: "webhookAllowPrivate", type: "bool", default: false,
    description: "lets webhook URLs reach loopback, private, link-local and other non-public addresses (private deployments, tests)",
  },
  {
    name: "WEBHOOK_CONCURRENCY", key: "webhookConcurrency", type: "int", min: 1, max: 1000, default: 16, unit: "requests",
    description: "most webhook deliveries one process has in flight; the rest wait their turn in the delivery queue",
  },
] as const satisfies readonly Variable[];
