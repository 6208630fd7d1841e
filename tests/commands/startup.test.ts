import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { readImage, REPO, scriptEntry } from "../support/paths";
import { readSse } from "../support/sse";
import { submitTo } from "../support/remote-service";
import Redis from "ioredis";
import { startLocalRedis } from "../../src/tools/local-redis";

const ENTRY = await scriptEntry("start");

/** `bun start` as a user runs it, in a child process. */
function start(env: Record<string, string>) {
  return Bun.spawn(["bun", ENTRY], { env: { ...process.env, LOG_LEVEL: "info", ...env }, stdout: "pipe", stderr: "pipe" });
}

describe("bun start", () => {
  /** What a child wrote, once it has exited: its exit code, its stdout as JSON lines (each must parse), and its stderr. */
  async function ended(child: ReturnType<typeof start>) {
    const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    return { code, lines: stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)), stderr };
  }

  test("no model anywhere: one JSON line that says so, no stack trace, exit 2", async () => {
    const { code, lines, stderr } = await ended(start({ MODEL_PATH: "/nonexistent/model.onnx" }));
    expect([code, stderr]).toEqual([2, ""]);
    expect(lines).toEqual([expect.objectContaining({ level: "error", msg: "cannot start", error: "MODEL_PATH points to /nonexistent/model.onnx, which does not exist." })]);
  });

  test("a file that is not a model: a JSON line naming the model and why, exit 2", async () => {
    const { code, lines, stderr } = await ended(start({ MODEL_PATH: join(REPO, "README.md"), WORKERS: "1" }));
    expect([code, stderr]).toEqual([2, ""]);
    expect(lines.filter((l) => l.level === "error")).toEqual([expect.objectContaining({ msg: "model unusable", model: join(REPO, "README.md"), reason: expect.stringContaining("model failed to load") })]);
  });

  test("bad configuration: every problem named in one JSON line, exit 2", async () => {
    const { code, lines, stderr } = await ended(start({ PORT: "http", WORKERS: "0", MAX_PIXELS: "-1" }));
    expect([code, stderr]).toEqual([2, ""]);
    expect(lines).toHaveLength(1);
    for (const name of ["PORT", "WORKERS", "MAX_PIXELS"]) expect(lines[0].error).toContain(name);
    expect(lines[0].error).not.toMatch(/\bat .*\.ts:\d+/);
  });

  test("serves on PORT: ready, one detection through /predict/, SIGTERM exits 0", async () => {
    const port = freePort();
    const child = start({ PORT: String(port), WORKERS: "1" });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(`${base}/health`, child, 30_000);
      const form = new FormData();
      form.append("file", new File([(await readImage("dog.jpg")) as Uint8Array<ArrayBuffer>], "dog.jpg"));
      const res = await fetch(`${base}/predict/`, { method: "POST", body: form });
      expect(res.status).toBe(201);
      const { task_id } = (await res.json()) as any;
      // The task's event stream ends with its terminal event: no polling interval to guess.
      const events = await readSse(await fetch(`${base}/result/${task_id}/events`, { signal: AbortSignal.timeout(30_000) }));
      const last = events.at(-1)!;
      expect(last.event).toBe("completed");
      expect(last.data.result.detections.map((d: any) => d.class).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
    const stdout = await new Response(child.stdout).text();
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toContain("ready");
    expect(lines.filter((l) => l.msg === "task").map((l) => l.status)).toEqual(["pending", "processing", "completed"]);
  });

  test("`bun start`, as README runs it, writes only JSON lines, stderr included", async () => {
    const port = freePort();
    const child = Bun.spawn(["bun", "start"], { cwd: REPO, env: { ...process.env, LOG_LEVEL: "info", PORT: String(port), WORKERS: "1" }, stdout: "pipe", stderr: "pipe" });
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, child, 30_000);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
    const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    const lines = [...stdout.trim().split("\n"), ...stderr.split("\n").filter(Boolean)];
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(["listening", "stopped"]));
  });

  test("on a Redis that evicts keys, `bun start` says so in a JSON line, and nothing it or BullMQ writes is plain text", async () => {
    const redis = await startLocalRedis();
    const admin = new Redis(redis.url);
    await admin.config("SET", "maxmemory-policy", "allkeys-lru");
    const port = freePort();
    const env = { LOG_LEVEL: "info", PORT: String(port), WORKERS: "1", QUEUE_BACKEND: "redis", REDIS_URL: redis.url, REDIS_PREFIX: `evict-${port}` };
    const child = Bun.spawn(["bun", "start"], { cwd: REPO, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, child, 30_000);
      // One task through the shared queue, so the queue's consumer has connected too.
      const id = await submitTo(`http://127.0.0.1:${port}`, await readImage("dog.jpg"), "dog.jpg");
      await readSse(await fetch(`http://127.0.0.1:${port}/result/${id}/events`, { signal: AbortSignal.timeout(30_000) }));
    } finally {
      child.kill("SIGTERM");
      await child.exited;
      admin.disconnect();
      await redis.stop();
    }
    const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    const lines = [...stdout.trim().split("\n"), ...stderr.split("\n").filter(Boolean)];
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.msg === "redis evicts keys")).toMatchObject({ level: "warn", policy: "allkeys-lru" });
  }, 60_000);

  test("SIGTERM drains: accepted tasks finish or are canceled (shutdown), none vanish, exit 0", async () => {
    const port = freePort();
    const child = start({ PORT: String(port), WORKERS: "1", DRAIN_TIMEOUT_MS: "300" });
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(`${base}/health/ready`, child, 30_000);
    const dog = await readImage("dog.jpg");
    const accepted: string[] = [];
    for (let i = 0; i < 8; i++) {
      accepted.push(await submitTo(base, dog, "dog.jpg"));
    }
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const lines = (await new Response(child.stdout).text()).trim().split("\n").map((l) => JSON.parse(l));
    const last = new Map<string, any>();
    for (const l of lines) if (l.msg === "task") last.set(l.task_id, l);
    for (const id of accepted) expect(["completed", "canceled"]).toContain(last.get(id)?.status);
    const canceled = accepted.filter((id) => last.get(id).status === "canceled");
    expect(canceled.length).toBeGreaterThan(0); // 8 × ~150 ms does not fit in 300 ms
    for (const id of canceled) expect(last.get(id).reason).toBe("shutdown");
    expect(lines.find((l) => l.msg === "stopped")).toMatchObject({ canceled: canceled.length });
  });
});
