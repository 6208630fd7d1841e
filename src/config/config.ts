import { availableParallelism } from "node:os";
import { type ReadContext, readVariable } from "./read-variable";
import { type Env, LOG_LEVELS, QUEUE_BACKENDS, VARIABLES, type Variable } from "./variables";

export { DEFAULT_MODEL_SHA256, DEFAULT_MODEL_URL } from "./variables";

/**
 * All configuration comes from the environment and is validated here, once,
 * at start: a bad value stops the service with every problem listed. Which
 * variable fills which field, with its range and default: src/config/variables.ts.
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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Config fields no variable fills: there must be none, or such a field would never be set. */
type UnfilledField = Exclude<keyof Config, (typeof VARIABLES)[number]["key"]>;
type MustBeNone<T extends never> = T;
type EveryConfigFieldHasAVariable = MustBeNone<UnfilledField>;

/**
 * Reads every variable of src/config/variables.ts. A variable whose rule
 * depends on another one (WORKERS on QUEUE_BACKEND) reads that one first.
 */
export function loadConfig(env: Env = process.env, cores = availableParallelism()): Config {
  const problems: string[] = [];
  const byName = new Map<string, Variable>(VARIABLES.map((v) => [v.name, v]));
  const values = new Map<string, unknown>();
  const valueOf = (name: string): unknown => {
    if (!values.has(name)) values.set(name, readVariable(byName.get(name)!, ctx));
    return values.get(name);
  };
  const ctx: ReadContext = {
    cores,
    env,
    holds: (condition) => valueOf(condition.variable) === condition.equals,
    problem: (text) => problems.push(text),
  };
  const config: Record<string, unknown> = {};
  for (const v of VARIABLES) config[v.key] = valueOf(v.name);
  if (problems.length) throw new ConfigError(problems);
  return config as unknown as Config;
}
