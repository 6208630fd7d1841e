import { describe, expect, test } from "bun:test";
import { DEFAULT_MODEL_SHA256, DEFAULT_MODEL_URL, loadConfig } from "../../src/config/config";

describe("loadConfig defaults", () => {
  test("an empty environment gives the documented defaults", () => {
    expect(loadConfig({}, 2)).toEqual({
      port: 7860,
      models: [],
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
      maxImagesPerRequest: 16,
      imageUrlTimeoutMs: 15_000,
      imageUrlAllowPrivate: false,
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
