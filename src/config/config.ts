import { availableParallelism } from "node:os";
import { memoryLimit } from "../util/memory-limit";
import { type ReadContext, readVariable } from "./read-variable";
import { type Config, type Env, VARIABLES, type Variable } from "./variables";

export { DEFAULT_MODEL_SHA256, DEFAULT_MODEL_URL } from "./variables";

/**
 * All configuration comes from the environment and is validated here, once,
 * at start: a bad value stops the service with every problem listed. Which
 * variable fills which field, with its range and default: src/config/variables.ts.
 */
export type { Config } from "./variables";

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
export function loadConfig(env: Env = process.env, cores = availableParallelism(), memoryBytes = memoryLimit()): Config {
  const problems: string[] = [];
  const byName = new Map<string, Variable>(VARIABLES.map((v) => [v.name, v]));
  const values = new Map<string, unknown>();
  const valueOf = (name: string): unknown => {
    if (!values.has(name)) values.set(name, readVariable(byName.get(name)!, ctx));
    return values.get(name);
  };
  const ctx: ReadContext = {
    cores,
    memoryBytes,
    env,
    holds: (condition) => valueOf(condition.variable) === condition.equals,
    problem: (text) => problems.push(text),
  };
  const config: Record<string, unknown> = {};
  for (const v of VARIABLES) config[v.key] = valueOf(v.name);
  // One way to name the models: a list, or the single file.
  if ((config.models as unknown[]).length && config.modelPath) problems.push("set MODELS or MODEL_PATH, not both (MODEL_PATH alone is a list of one)");
  if (problems.length) throw new ConfigError(problems);
  return config as unknown as Config;
}
