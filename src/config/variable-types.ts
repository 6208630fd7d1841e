/**
 * The shapes of src/config/variables.ts's table and of the Config it fills.
 * Apart from the table, so the table's file stays a table; nothing here
 * imports it back.
 */

import type { ModelSource } from "./model-list";

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
  unit?: "seconds" | "ms" | "bytes" | "pixels" | "tasks" | "threads" | "workers" | "times" | "proxies" | "requests" | "images";
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

/** MODELS' `name=path` / `name=url#sha256=…` items (src/config/model-list.ts). URLs are never echoed. */
export interface ModelsVariable extends VariableBase {
  type: "models";
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

export type Variable = IntVariable | EnumVariable | StringVariable | UrlVariable | Sha256Variable | ListVariable | KeysVariable | BoolVariable | SecretVariable | ModelsVariable;

/**
 * The validated configuration (src/config/config.ts reads it from the
 * environment). Each field means what its variable's description in
 * src/config/variables.ts says: that is the one place it is written.
 */
export interface Config {
  port: number;
  models: ModelSource[];
  modelPath?: string;
  modelUrl: string;
  modelSha256?: string;
  workers: number;
  threadsPerWorker: number;
  inferenceNice: number;
  taskTtlMs: number;
  gcIntervalMs: number;
  taskTimeoutMs: number;
  maxUploadBytes: number;
  maxImagesPerRequest: number;
  imageUrlTimeoutMs: number;
  imageUrlAllowPrivate: boolean;
  maxPixels: number;
  annotatedMaxSide: number;
  queueMax: number;
  maxStoreBytes: number;
  drainTimeoutMs: number;
  apiKey?: string;
  apiKeys: NamedKey[];
  trustProxyHops: number;
  clientQueueMax: number;
  maxInflightBytes: number;
  uploadTimeoutMs: number;
  corsOrigins: string[] | "*";
  eventsMaxSubscribers: number;
  contactUrl?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  queueBackend: (typeof QUEUE_BACKENDS)[number];
  redisUrl?: string;
  redisPrefix: string;
  jobLockMs: number;
  jobMaxStalls: number;
  webhookSecret?: string;
  webhookAllowPrivate: boolean;
  webhookConcurrency: number;
}
