import { describe, expect, test } from "bun:test";
import { ConfigError, DEFAULT_MODEL_SHA256, DEFAULT_MODEL_URL, loadConfig } from "../../src/config/config";
import { type Variable, VARIABLES } from "../../src/config/variables";

/** Runs loadConfig expecting a ConfigError, and returns it. */
const configError = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env, 2);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("loadConfig accepted an invalid environment");
};

describe("loadConfig defaults", () => {
  test("an empty environment gives the documented defaults", () => {
    expect(loadConfig({}, 2)).toEqual({
      port: 7860,
      modelPath: undefined,
      // the pinned default download, with its own checksum
      modelUrl: DEFAULT_MODEL_URL,
      modelSha256: DEFAULT_MODEL_SHA256,
      workers: 3,
      threadsPerWorker: 1,
      inferenceNice: 10,
      taskTtlMs: 300_000, // TASK_TTL_S 300
      gcIntervalMs: 60_000, // GC_INTERVAL_S 60
      taskTimeoutMs: 60_000,
      maxUploadBytes: 20 * 1024 * 1024,
      maxPixels: 40_000_000,
      annotatedMaxSide: 1280,
      queueMax: 100,
      maxStoreBytes: 256 * 1024 * 1024,
      drainTimeoutMs: 30_000,
      apiKey: undefined,
      apiKeys: [],
      trustProxyHops: 0,
      clientQueueMax: 25, // a quarter of QUEUE_MAX
      maxInflightBytes: 1024 * 1024 * 1024,
      uploadTimeoutMs: 60_000,
      corsOrigins: "*",
      logLevel: "info",
      queueBackend: "embedded",
      redisUrl: undefined,
      redisPrefix: "yolo",
      jobLockMs: 30_000,
      jobMaxStalls: 1,
      webhookSecret: undefined,
      webhookAllowPrivate: false,
      webhookConcurrency: 16,
      eventsMaxSubscribers: 100,
    });
  });

  test("worker layout follows the core count", () => {
    const layout = (cores: number) => {
      const c = loadConfig({}, cores);
      return [c.workers, c.threadsPerWorker];
    };
    expect(layout(1)).toEqual([2, 1]);
    expect(layout(2)).toEqual([3, 1]); // one more single-threaded worker than cores
    expect(layout(3)).toEqual([4, 1]);
    expect(layout(8)).toEqual([9, 1]);
    expect(layout(32)).toEqual([9, 1]); // capped: each worker holds a session
  });

  test("byte budgets fit the memory limit: an eighth of it when less than their caps, whatever the box", () => {
    const MiB = 2 ** 20;
    const budgets = (memoryBytes: number) => {
      const c = loadConfig({}, 2, memoryBytes);
      return [c.maxInflightBytes / MiB, c.maxStoreBytes / MiB];
    };
    expect(budgets(24 * 1024 * MiB)).toEqual([1024, 256]); // the caps
    expect(budgets(16 * 1024 * MiB)).toEqual([1024, 256]); // a 16 GB Space
    expect(budgets(1024 * MiB)).toEqual([128, 128]); // docker run --memory 1g
    expect(budgets(4 * MiB)).toEqual([1, 1]); // never below the variables' minimum
    // set explicitly, they are what they say
    const set = loadConfig({ MAX_INFLIGHT_BYTES: String(512 * MiB), MAX_STORE_BYTES: String(300 * MiB) }, 2, 1024 * MiB);
    expect([set.maxInflightBytes, set.maxStoreBytes]).toEqual([512 * MiB, 300 * MiB]);
  });

  test("blank values count as unset", () => {
    const c = loadConfig({ PORT: "", WORKERS: "  ", MODEL_PATH: " ", MODEL_SHA256: "" }, 2);
    expect(c.port).toBe(7860);
    expect(c.workers).toBe(3);
    expect(c.modelPath).toBeUndefined();
    expect(c.modelSha256).toBe(DEFAULT_MODEL_SHA256);
  });

  test("a custom MODEL_URL does not inherit the default checksum", () => {
    const c = loadConfig({ MODEL_URL: "https://example.com/m.onnx" }, 2);
    expect([c.modelUrl, c.modelSha256]).toEqual(["https://example.com/m.onnx", undefined]);
  });
});

describe("loadConfig overrides", () => {
  test("every variable is read and converted", () => {
    const sha = "AB".repeat(32);
    const c = loadConfig(
      {
        PORT: "8080",
        MODEL_PATH: " /models/m.onnx ",
        MODEL_URL: "https://example.com/m.onnx",
        MODEL_SHA256: sha,
        WORKERS: "3",
        ORT_THREADS: "2",
        TASK_TTL_S: "10",
        GC_INTERVAL_S: "5",
        TASK_TIMEOUT_MS: "1500",
        MAX_UPLOAD_BYTES: "4096",
        MAX_PIXELS: "1000000",
        ANNOTATED_MAX_SIDE: "0",
        QUEUE_MAX: "7",
        MAX_STORE_BYTES: "2097152",
        DRAIN_TIMEOUT_MS: "250",
        API_KEY: " s3cret ",
        API_KEYS: "alice:k-alice, bob.lab:k:with:colons",
        TRUST_PROXY_HOPS: "1",
        CLIENT_QUEUE_MAX: "3",
        MAX_INFLIGHT_BYTES: "2097152",
        UPLOAD_TIMEOUT_MS: "1500",
        CORS_ORIGINS: "https://a.example, https://b.example",
        LOG_LEVEL: "debug",
        QUEUE_BACKEND: "redis",
        REDIS_URL: "redis://:pw@cache.internal:6380/2",
        REDIS_PREFIX: "detect-prod",
        JOB_LOCK_MS: "10000",
        JOB_MAX_STALLS: "2",
        INFERENCE_NICE: "5",
        WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        WEBHOOK_ALLOW_PRIVATE: "yes",
        WEBHOOK_CONCURRENCY: "4",
      },
      8,
    );
    expect(c).toEqual({
      port: 8080,
      modelPath: "/models/m.onnx",
      modelUrl: "https://example.com/m.onnx",
      modelSha256: "ab".repeat(32), // normalised to lower case
      workers: 3,
      threadsPerWorker: 2,
      inferenceNice: 5,
      taskTtlMs: 10_000,
      gcIntervalMs: 5_000,
      taskTimeoutMs: 1500,
      maxUploadBytes: 4096,
      maxPixels: 1_000_000,
      annotatedMaxSide: 0,
      queueMax: 7,
      maxStoreBytes: 2 * 1024 * 1024,
      drainTimeoutMs: 250,
      apiKey: "s3cret",
      apiKeys: [{ name: "alice", key: "k-alice" }, { name: "bob.lab", key: "k:with:colons" }],
      trustProxyHops: 1,
      clientQueueMax: 3,
      maxInflightBytes: 2 * 1024 * 1024,
      uploadTimeoutMs: 1500,
      corsOrigins: ["https://a.example", "https://b.example"],
      logLevel: "debug",
      queueBackend: "redis",
      redisUrl: "redis://:pw@cache.internal:6380/2",
      redisPrefix: "detect-prod",
      jobLockMs: 10_000,
      jobMaxStalls: 2,
      webhookSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      webhookAllowPrivate: true,
      webhookConcurrency: 4,
      eventsMaxSubscribers: 100,
    });
  });

  test("a malformed WEBHOOK_SECRET or WEBHOOK_ALLOW_PRIVATE is a problem, and the secret is never echoed", () => {
    const { problems } = configError({ WEBHOOK_SECRET: "not-a-secret-value", WEBHOOK_ALLOW_PRIVATE: "maybe" });
    expect(problems.some((p) => p.startsWith("WEBHOOK_SECRET must be whsec_"))).toBe(true);
    expect(problems.some((p) => p.includes("not-a-secret-value"))).toBe(false);
    expect(problems).toContain('WEBHOOK_ALLOW_PRIVATE must be true or false (got "maybe")');
  });

  test("range ends are inclusive", () => {
    expect(loadConfig({ PORT: "65535", WORKERS: "1" }, 2)).toMatchObject({ port: 65535, workers: 1 });
    expect(loadConfig({ WORKERS: "64" }, 2).workers).toBe(64);
  });
});

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

describe("the variable table drives loadConfig", () => {
  const variables = VARIABLES as readonly Variable[];

  test("each variable has its own name and fills its own Config field", () => {
    expect(new Set(variables.map((v) => v.name)).size).toBe(variables.length);
    expect(new Set(variables.map((v) => v.key)).size).toBe(variables.length);
  });

  test("a rule that depends on another variable names a declared one, by one of its values", () => {
    for (const v of variables) {
      const conditions = [v.requiredWhen, v.type === "int" ? v.lowerMinWhen : undefined].filter((c) => c !== undefined);
      for (const c of conditions) {
        const other = variables.find((o) => o.name === c.variable);
        expect(other?.type).toBe("enum");
        expect(other?.type === "enum" && other.values.includes(c.equals)).toBe(true);
      }
    }
  });

  test("every whole-number variable is read, scaled and range-checked under its own name", () => {
    for (const v of variables) {
      if (v.type !== "int") continue;
      const scale = v.scale ?? 1;
      expect([v.name, loadConfig({ [v.name]: String(v.max) }, 2)[v.key]]).toEqual([v.name, v.max * scale]);
      const tooBig = String(v.max + 1);
      expect(configError({ [v.name]: tooBig }).problems).toEqual([`${v.name} must be a whole number from ${v.min} to ${v.max} (got "${tooBig}")`]);
      if (typeof v.default === "number") expect([v.name, loadConfig({}, 2)[v.key]]).toEqual([v.name, v.default * scale]);
    }
  });

  test("every enumerated variable accepts its values and refuses others, listing them", () => {
    for (const v of variables) {
      if (v.type !== "enum") continue;
      const env = (value: string) => ({ [v.name]: value, REDIS_URL: "redis://r:6379" });
      for (const value of v.values) expect(loadConfig(env(` ${value} `), 2)[v.key]).toBe(value);
      expect(configError(env("bogus")).problems).toEqual([`${v.name} must be one of ${v.values.join(", ")} (got "bogus")`]);
    }
  });

  test("a blank LOG_LEVEL counts as unset, like every other variable", () => {
    expect(loadConfig({ LOG_LEVEL: "" }, 2).logLevel).toBe("info");
  });

  test("MODEL_URL must be a web address (it is downloaded with fetch)", () => {
    expect(configError({ MODEL_URL: "ftp://example.com/m.onnx" }).problems).toEqual(["MODEL_URL must start with https:// or http://"]);
  });

  test("PREPROCESS is no longer a setting", () => {
    expect(variables.some((v) => v.name === "PREPROCESS")).toBe(false);
    expect("preprocessIn" in loadConfig({ PREPROCESS: "main" }, 2)).toBe(false);
  });
});
