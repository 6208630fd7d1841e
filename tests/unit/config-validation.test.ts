import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/config";
import { configError } from "../support/config-error";

describe("loadConfig validation", () => {
  test("several bad values at once are all reported, each by name", () => {
    const err = configError({ PORT: "abc", WORKERS: "0", MODEL_SHA256: "xyz", LOG_LEVEL: "loud" });
    expect(err.problems).toHaveLength(4);
    for (const name of ["PORT", "WORKERS", "MODEL_SHA256", "LOG_LEVEL"]) {
      expect(err.problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    }
    // the message lists them too, so a crash log is enough to fix the environment
    for (const p of err.problems) expect(err.message).toContain(p);
  });

  test("fractions, out-of-range and non-numeric integers are refused", () => {
    expect(configError({ PORT: "70000" }).problems[0]).toContain("PORT");
    expect(configError({ WORKERS: "1.5" }).problems[0]).toContain("WORKERS");
    expect(configError({ TASK_TTL_S: "-5" }).problems[0]).toContain("TASK_TTL_S");
    expect(configError({ TASK_TIMEOUT_MS: "99" }).problems[0]).toContain("TASK_TIMEOUT_MS");
    expect(configError({ ORT_THREADS: "two" }).problems[0]).toContain("ORT_THREADS");
  });

  test("API_KEYS needs name:key pairs with distinct names and keys, and never echoes a key", () => {
    const err = configError({ API_KEYS: "alice:topsecret1, :nameless, bob, alice:other, carol:topsecret1, bad name:x" });
    expect(err.problems).toEqual([
      "API_KEYS: pair 2 must be name:key, the name 1-64 letters, digits, '.', '_' or '-'",
      "API_KEYS: pair 3 must be name:key, the name 1-64 letters, digits, '.', '_' or '-'",
      'API_KEYS: the name "alice" is given twice',
      "API_KEYS: pair 5 repeats another pair's key",
      "API_KEYS: pair 6 must be name:key, the name 1-64 letters, digits, '.', '_' or '-'",
    ]);
    expect(err.message).not.toContain("topsecret1");
  });

  test("CLIENT_QUEUE_MAX defaults to a quarter of QUEUE_MAX, at least 1", () => {
    expect(loadConfig({ QUEUE_MAX: "40" }, 2).clientQueueMax).toBe(10);
    expect(loadConfig({ QUEUE_MAX: "3" }, 2).clientQueueMax).toBe(1);
  });

  test("the offending value is quoted in the problem", () => {
    expect(configError({ PORT: "abc" }).problems[0]).toContain('"abc"');
  });

  test("a SHA-256 of the wrong length is refused", () => {
    expect(configError({ MODEL_SHA256: "a".repeat(63) }).problems).toEqual(["MODEL_SHA256 must be 64 hex digits"]);
  });

  test("the Redis backend needs a redis:// URL, never echoed (it may hold a password), and may run with no local workers", () => {
    expect(configError({ QUEUE_BACKEND: "redis" }).problems).toEqual(["REDIS_URL is required when QUEUE_BACKEND=redis (e.g. redis://127.0.0.1:6379)"]);
    const bad = configError({ QUEUE_BACKEND: "redis", REDIS_URL: "http://user:hunter2@x" });
    expect(bad.problems).toEqual(["REDIS_URL must start with redis:// or rediss://"]);
    expect(bad.message).not.toContain("hunter2");
    expect(configError({ QUEUE_BACKEND: "kafka" }).problems).toEqual(['QUEUE_BACKEND must be one of embedded, redis (got "kafka")']);
    expect(loadConfig({ QUEUE_BACKEND: "redis", REDIS_URL: "redis://127.0.0.1:6379", WORKERS: "0" }, 2).workers).toBe(0);
    // embedded has nothing else to run tasks on
    expect(configError({ WORKERS: "0" }).problems).toEqual(['WORKERS must be a whole number from 1 to 64 (got "0")']);
  });
});
