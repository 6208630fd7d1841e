import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/config";
import { configError } from "../support/config-error";

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
      models: [],
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
      maxImagesPerRequest: 16,
      imageUrlTimeoutMs: 15_000,
      imageUrlAllowPrivate: false,
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
