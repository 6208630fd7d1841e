import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalRedis, startLocalRedis } from "../../src/tools/local-redis";
import { uniquePrefix } from "../support/backend";
import { getJson, pollUntilDone, taskIdOf as idOf, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService, waitFor } from "../support/test-service";

// A Redis of this test's own, with an fsync-always AOF so a restart keeps
// what was accepted: the outages are the test's to make.
let redis: LocalRedis & { port: number; pid: number };
let svc: TestService;
let dog: Uint8Array;
const dir = mkdtempSync(join(tmpdir(), "yolo-redis-outage-"));

beforeAll(async () => {
  redis = await startLocalRedis({ aofDir: dir });
  svc = await startTestService({ QUEUE_BACKEND: "redis", REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix("outage"), WORKERS: "1", JOB_LOCK_MS: "2000" });
  dog = await readImage("dog.jpg");
});
afterAll(async () => {
  svc?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});


async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.headers.get("retry-after")).toBe("2");
  const body = (await res.json()) as any;
  expect(body.code).toBe("backend_unavailable");
  expect(JSON.stringify(body)).not.toMatch(/ioredis|ECONNREFUSED|at \//);
}

test("a Redis that hangs: requests get 503 backend_unavailable within seconds, and everything accepted completes once it answers", async () => {
  const before = await Promise.all([1, 2, 3].map(async () => idOf(await upload(svc.app, dog))));
  process.kill(redis.pid, "SIGSTOP");
  try {
    const t0 = Date.now();
    await expectUnavailable(await upload(svc.app, dog));
    await expectUnavailable(await svc.app.handle(new Request(`http://localhost/result/${before[0]}`)));
    expect(Date.now() - t0).toBeLessThan(10_000);
    const ready = await getJson(svc.app, "/health/ready");
    expect([ready.res.status, ready.body.reason]).toEqual([503, "redis unreachable"]);
  } finally {
    process.kill(redis.pid, "SIGCONT");
  }
  await waitFor(async () => (await getJson(svc.app, "/health/ready")).res.status === 200, 15_000, "ready again");
  for (const id of before) expect((await pollUntilDone(svc.app, id, 60_000)).status).toBe("completed");
  expect((await pollUntilDone(svc.app, await idOf(await upload(svc.app, dog)))).status).toBe("completed");
}, 90_000);

test("a Redis that dies and comes back: 503 while it is down, then the service recovers by itself and nothing accepted is lost", async () => {
  const before = await Promise.all([1, 2, 3, 4].map(async () => idOf(await upload(svc.app, dog))));
  // Only what is logged from here on: the hang above already logged an outage and a recovery.
  const mark = svc.logs.length;
  const loggedSinceKill = (msg: string) => svc.logs.slice(mark).some((l) => l.msg === msg);
  process.kill(redis.pid, "SIGKILL");
  // The service notices when its connection closes, and says so: wait for that, not a guessed delay.
  await waitFor(() => loggedSinceKill("redis unreachable"), 10_000, "the service to log that Redis is unreachable");
  await expectUnavailable(await upload(svc.app, dog));
  const health = await getJson(svc.app, "/health");
  expect([health.res.status, health.body.status, health.body.backend.connection]).toEqual([503, "unavailable", "down"]);

  redis = await startLocalRedis({ port: redis.port, aofDir: dir });
  await waitFor(async () => (await getJson(svc.app, "/health/ready")).res.status === 200, 20_000, "ready again");
  // the task running when Redis died finishes or is taken over once its lock lapses; the rest run in order
  for (const id of before) expect((await pollUntilDone(svc.app, id, 60_000)).status).toBe("completed");
  expect((await pollUntilDone(svc.app, await idOf(await upload(svc.app, dog)))).status).toBe("completed");
  expect(loggedSinceKill("redis connected")).toBe(true);
}, 90_000);

test("a Redis at its maxmemory (no eviction) is backpressure: uploads get 429 memory_full, open tasks still finish or cancel, and uploads work again once there is room", async () => {
  const Redis = (await import("ioredis")).default;
  const admin = new Redis(redis.url);
  try {
    const open = await Promise.all([1, 2, 3, 4].map(async () => idOf(await upload(svc.app, dog))));
    const used = Number((await admin.info("memory")).match(/used_memory:(\d+)/)![1]);
    await admin.config("SET", "maxmemory", String(used + 64 * 1024));
    // what frees memory is never refused: a cancel, and results of the tasks already accepted
    const cancel = await svc.app.handle(new Request(`http://localhost/result/${open[3]}`, { method: "DELETE" }));
    expect(cancel.status).toBe(200);
    for (const id of open.slice(0, 3)) expect((await pollUntilDone(svc.app, id, 60_000)).status).toBe("completed");
    const full = await upload(svc.app, await readImage("kite.jpg")); // 1.4 MB does not fit
    expect(full.status).toBe(429);
    const body = (await full.json()) as any;
    expect(body.code).toBe("memory_full");
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await getJson(svc.app, "/health/ready")).res.status).toBe(200); // not an outage
  } finally {
    await admin.config("SET", "maxmemory", "0");
    admin.disconnect();
  }
  expect((await pollUntilDone(svc.app, await idOf(await upload(svc.app, dog)))).status).toBe("completed");
}, 60_000);
