/**
 * The shapes of src/config/variables.ts's table and of the Config it fills.
 * Apart from the table, so the table's file stays a table; nothing here
 * imports it back.
 */

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export const QUEUE_BACKENDS = ["embedded", "redis"] as const;

/** What a computed default may look at: the machine, and the raw environment. */
export interface DefaultContext {
  cores: number;
  /** the memory this process may use: a container's limit, else the machine's (src/util/memory-limit.ts) */
  memoryBytes: number;
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
  unit?: "seconds" | "ms" | "bytes" | "pixels" | "tasks" | "threads" | "workers" | "times" | "proxies" | "requests";
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

/** Comma-separated `name:key` pairs. Never echoed in a problem: the keys are secrets. */
export interface KeysVariable extends VariableBase {
  type: "keys";
}

/** One API key and the name its client goes by (queue share, logs). */
export interface NamedKey {
  name: string;
  key: string;
}

/** `true` or `false` (also 1/0, yes/no). */
export interface BoolVariable extends VariableBase {
  type: "bool";
  default: boolean;
}

/** A secret checked against a shape (`hint` names it in README and in the problem). Never echoed. */
export interface SecretVariable extends VariableBase {
  type: "secret";
  pattern: RegExp;
  hint: string;
}

export type Variable = IntVariable | EnumVariable | StringVariable | UrlVariable | Sha256Variable | ListVariable | KeysVariable | BoolVariable | SecretVariable;

/** The validated configuration (src/config/config.ts reads it from the environment with the table below). */
export interface Config {
  port: number;
  /** explicit model file; otherwise the resolver searches (see src/model/resolve-model.ts) */
  modelPath?: string;
  modelUrl: string;
  modelSha256?: string;
  workers: number;
  threadsPerWorker: number;
  /** nice value of the inference threads (0: same priority as the HTTP thread) */
  inferenceNice: number;
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
  /** more keys, each with the client name it stands for */
  apiKeys: NamedKey[];
  /** proxies in front of the service whose X-Forwarded-For entries are trusted (0: none) */
  trustProxyHops: number;
  /** most tasks one client may have waiting */
  clientQueueMax: number;
  /** most bytes of request bodies being received at once */
  maxInflightBytes: number;
  /** how long a request body may take to arrive */
  uploadTimeoutMs: number;
  /** allowed CORS origins; "*" for any */
  corsOrigins: string[] | "*";
  /** most listeners of GET /events at once */
  eventsMaxSubscribers: number;
  /** the OpenAPI document's contact URL */
  contactUrl?: string;
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
  /** Standard Webhooks signing secret (`whsec_…`); webhooks are refused without it */
  webhookSecret?: string;
  /** lets webhook URLs reach loopback and private addresses (private deployments, tests) */
  webhookAllowPrivate: boolean;
  /** most webhook deliveries in flight at once from one process */
  webhookConcurrency: number;
}
