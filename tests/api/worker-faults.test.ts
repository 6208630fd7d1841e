import { afterAll, beforeAll, expect, test } from "bun:test";
import { detect, getJson, upload } from "../support/http";
import { FakeClock } from "../support/fake-clock";
import { CRASH_MAX_DET, EXIT_MAX_DET, HANG_MAX_DET } from "../support/faulty-worker";
import { readImage } from "../support/paths";
import { startTestService, statusOf, taskOf, type TestService, waitFor } from "../support/test-service";

const TIMEOUT_MS = 5_000;
const clock = new FakeClock();
let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService(
    { WORKERS: "1", TASK_TIMEOUT_MS: String(TIMEOUT_MS) },
    { workerEntry: new URL("../support/faulty-worker.ts", import.meta.url), clock },
  );
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

async function submit(maxDet: number): Promise<string> {
  const res = await upload(svc.app, dog, { fields: { max_det: String(maxDet) } });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).task_id;
}

const worker = async () => (await svc.service.backend.health()).workers[0];
const status = (id: string) => statusOf(svc, id);

/**
 * A respawn waits out a backoff on the service clock: move the clock only
 * while no worker is up, so no running task is pushed past its timeout.
 */
async function untilWorkerUp() {
  await waitFor(async () => {
    const state = (await worker())?.state;
    if (state === "ready" || state === "busy") return true;
    if (state === "defunct" || state === "retiring") clock.advance(250);
    return false;
  }, 30_000, "replacement worker up");
}

test("a worker that crashes fails its task with worker_crashed and is replaced", async () => {
  const id = await submit(CRASH_MAX_DET);
  const queued = await submit(300); // waits behind the crash
  await waitFor(async () => (await status(id)) === "failed", 10_000, "crashed task failed");
  const failed = (await getJson(svc.app, `/result/${id}`)).body;
  expect(failed.error).toEqual({ code: "worker_crashed", message: expect.stringContaining("stopped") });
  await untilWorkerUp();
  expect((await worker()).restarts).toBe(1);
  // the queue goes on: the task behind it completes on the new worker
  await waitFor(async () => (await status(queued)) === "completed", 30_000, "queued task done");
});

test("a task that runs past TASK_TIMEOUT_MS fails with timeout and its worker is replaced", async () => {
  const id = await submit(HANG_MAX_DET);
  await waitFor(async () => (await status(id)) === "processing", 10_000, "hung task started");
  // the worker has the task (on Redis, the job reaches the local executor a moment after the status moves)
  await waitFor(async () => (await worker())?.state === "busy", 10_000, "worker busy");
  clock.advance(TIMEOUT_MS - 1);
  // the timeout would have retired the worker synchronously, inside advance()
  expect((await worker()).state).toBe("busy");
  clock.advance(1);
  await waitFor(async () => (await status(id)) === "failed", 10_000, "timed-out task failed");
  const failed = (await getJson(svc.app, `/result/${id}`)).body;
  expect([failed.status, failed.error.code]).toEqual(["failed", "timeout"]);
  await untilWorkerUp();
  expect((await worker()).restarts).toBe(2);
  const after = await detect(svc.app, dog);
  expect(after.status).toBe("completed");
});

test("a worker that exits fails its task with worker_crashed and is replaced", async () => {
  const id = await submit(EXIT_MAX_DET);
  await waitFor(async () => (await status(id)) === "failed", 10_000, "exited task failed");
  expect((await taskOf(svc, id))?.error?.code).toBe("worker_crashed");
  await untilWorkerUp();
  expect((await worker()).restarts).toBe(3);
  expect((await detect(svc.app, dog)).status).toBe("completed");
  const health = (await getJson(svc.app, "/health")).body;
  expect(health.workers[0].restarts).toBe(3);
});

test("no task is left pending or processing", async () => {
  const { tasks } = await svc.service.backend.health();
  expect([tasks.pending, tasks.processing]).toEqual([0, 0]);
});
