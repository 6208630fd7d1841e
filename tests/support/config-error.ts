import { expect } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config/config";

/** Runs loadConfig expecting a ConfigError, and returns it. */
export function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, 2);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("loadConfig accepted an invalid environment");
}
