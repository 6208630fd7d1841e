import { describe, expect, test } from "bun:test";
import { Executor, type InferenceJob } from "../../src/executor/executor";
import { RETIRE_GRACE_MS } from "../../src/executor/worker-pool";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { jsonLogger } from "../../src/util/logger";
import { FakeClock } from "../support/fake-clock";
import { FAKE_RESULT, fakeSpawner } from "../support/fake-worker";

const TIMEOUT_MS = 1000;

function setup(workers = 1) {
  const clock = new FakeClock();
  const workersMade = fakeSpawner();
  const logs: Record<string, unknown>[] = [];
  const fatal: string[] = [];
  const executor = new Executor({
    models: [{ name: "fake", path: "fake.onnx" }],
    workers,
    threadsPerWorker: 1,
    maxPixels: 1e6,
    taskTimeoutMs: TIMEOUT_MS,
    annotatedMaxSide: 0,
    clock,
    log: jsonLogger("info", (line) => logs.push(JSON.parse(line))),
    spawn: workersMade.spawn,
    onFatal: (reason) => fatal.push(reason),
  });
  executor.start();
  return { clock, workers: workersMade, executor, logs, fatal };
}

let n = 0;
const job = (): InferenceJob => ({ id: `j${++n}`, image: new Uint8Array([1, 2, 3]), size: { width: 10, height: 10 }, params: DEFAULT_PARAMS });

describe("Executor on fake workers and a fake clock", () => {
  test("workers start one after another, and the executor is ready once one has warmed", () => {
    const { workers, executor } = setup(2);
    expect([workers.made.length, executor.ready]).toEqual([1, false]);
    workers.made[0].ready(80);
    expect([workers.made.length, executor.ready, executor.warmupMs, executor.models?.[0]?.name]).toEqual([2, true, 80, "fake.onnx"]);
    expect(executor.workers().map((w) => w.state)).toEqual(["ready", "starting"]);
  });

  test("a worker's log line is written by the service's logger, with the worker's id", () => {
    const { workers, logs } = setup();
    workers.last.answer({ type: "log", level: "warn", msg: "free-shape session unusable: a session per shape instead", fields: {} });
    expect(logs).toEqual([expect.objectContaining({ level: "warn", msg: "free-shape session unusable: a session per shape instead", worker: "w0.0" })]);
  });

  test("a job runs on an idle worker and resolves with its result; the service time feeds the moving average", async () => {
    const { clock, workers, executor } = setup();
    workers.last.ready();
    const j = job();
    const outcome = executor.run(j);
    expect(workers.last.lastJob).toBe(j.id);
    expect(executor.idleWorkers).toBe(0);
    clock.advance(120);
    workers.last.finish();
    expect(await outcome).toEqual({ status: "completed", result: FAKE_RESULT, worker: "w0.0" });
    expect(executor.serviceMs).toBe(120);
    expect(executor.rate()).toEqual({ serviceMs: 120, warmupMs: 50, lanes: 1 });
  });

  test("each model keeps its own average too: a task's ETA is priced at its own model's speed", async () => {
    const { clock, workers, executor } = setup();
    workers.last.ready();
    for (const [model, ms] of [["small", 40], ["large", 200]] as const) {
      const outcome = executor.run({ ...job(), params: { ...DEFAULT_PARAMS, model } });
      clock.advance(ms);
      workers.last.finish();
      await outcome;
    }
    expect([executor.rate("small").serviceMs, executor.rate("large").serviceMs]).toEqual([40, 200]);
    expect(executor.serviceMsByModel()).toEqual({ small: 40, large: 200 });
    // A model with no run yet is priced at the average of all: 40, then 200 at weight 0.2.
    expect(executor.rate("other").serviceMs).toBe(72);
  });

  test("a tile's run does not feed the moving average, which prices whole images", async () => {
    const { clock, workers, executor } = setup();
    workers.last.ready();
    const whole = executor.run(job());
    clock.advance(100);
    workers.last.finish();
    await whole;
    const tile = executor.run({ ...job(), region: { x: 0, y: 0, width: 5, height: 5 } });
    clock.advance(900);
    workers.last.finish();
    expect((await tile).status).toBe("completed");
    expect(executor.serviceMs).toBe(100);
  });

  test("jobs handed in while every worker is busy wait in order and run as workers free up", async () => {
    const { workers, executor } = setup();
    workers.last.ready();
    const [a, b, c] = [job(), job(), job()];
    const outcomes = [a, b, c].map((j) => executor.run(j));
    workers.last.finish(a.id);
    expect(workers.last.lastJob).toBe(b.id);
    workers.last.finish(b.id);
    workers.last.finish(c.id);
    expect((await Promise.all(outcomes)).map((o) => o.status)).toEqual(["completed", "completed", "completed"]);
  });

  test("a crash fails the job with worker_crashed, and the worker is replaced after a backoff", async () => {
    const { clock, workers, executor, logs } = setup();
    workers.last.ready();
    const outcome = executor.run(job());
    workers.last.crash();
    expect(await outcome).toMatchObject({ status: "failed", error: { code: "worker_crashed" } });
    expect([executor.failures, executor.ready, workers.made.length]).toEqual([1, false, 1]);
    expect(logs.some((l) => l.msg === "worker defunct")).toBe(true);
    clock.advance(250);
    expect(workers.made.length).toBe(2);
    workers.last.ready();
    expect(executor.workers()).toEqual([{ id: "w0.1", state: "ready", restarts: 1 }]);
  });

  test("a hang times out at TASK_TIMEOUT_MS: timeout failure, the worker retired and replaced, terminated when it answers", async () => {
    const { clock, workers, executor } = setup();
    const hung = workers.last;
    hung.ready();
    const outcome = executor.run(job());
    clock.advance(TIMEOUT_MS - 1);
    expect(executor.workers()[0].state).toBe("busy");
    clock.advance(1);
    expect(await outcome).toMatchObject({ status: "failed", error: { code: "timeout", message: `Processing took longer than ${TIMEOUT_MS} ms and was stopped.` } });
    expect(executor.workers()[0].state).toBe("retiring");
    clock.advance(250);
    workers.last.ready();
    expect(executor.workers()[0]).toEqual({ id: "w0.1", state: "ready", restarts: 1 });
    expect(hung.terminated).toBe(false); // never mid-run
    hung.finish();
    expect(hung.terminated).toBe(true);
  });

  test("a retired worker that never answers is reported stuck after the grace period", () => {
    const { clock, workers, executor, logs } = setup();
    workers.last.ready();
    void executor.run(job());
    clock.advance(TIMEOUT_MS + RETIRE_GRACE_MS);
    expect(logs.filter((l) => l.msg === "worker stuck")).toHaveLength(1);
  });

  test("abort: a waiting job leaves at once; a running one resolves canceled and its worker's late answer is dropped", async () => {
    const { workers, executor } = setup();
    workers.last.ready();
    const [running, waiting] = [job(), job()];
    const stopRunning = new AbortController();
    const stopWaiting = new AbortController();
    const first = executor.run(running, stopRunning.signal);
    const second = executor.run(waiting, stopWaiting.signal);
    stopWaiting.abort();
    expect(await second).toEqual({ status: "canceled" });
    stopRunning.abort();
    expect(await first).toEqual({ status: "canceled" });
    expect(executor.workers()[0].state).toBe("busy"); // still running natively
    workers.last.finish(running.id);
    expect(executor.idleWorkers).toBe(1);
    expect(await executor.run(job(), AbortSignal.abort())).toEqual({ status: "canceled" });
  });

  test("every worker failing to load the model before any was ready is fatal; backoff grows meanwhile", () => {
    const { clock, workers, fatal } = setup(1);
    workers.last.answer({ type: "init_failed", message: "bad file" });
    expect(fatal).toEqual(["model failed to load: bad file"]);
    clock.advance(499); // 250 × 2 after one failed start
    expect(workers.made.length).toBe(1);
    clock.advance(1);
    expect(workers.made.length).toBe(2);
  });

  test("idle listeners hear when a worker frees up", () => {
    const { workers, executor } = setup();
    let heard = 0;
    executor.onIdle(() => heard++);
    workers.last.ready();
    void executor.run(job());
    workers.last.finish();
    expect(heard).toBe(2);
  });
});

describe("Executor: runs of one job id, stop, aborted runs", () => {
  test("the same job id run twice (a job taken over by its own process): each run gets its own answer", async () => {
    const { workers, executor } = setup(2);
    workers.made[0].ready();
    workers.made[1].ready();
    const j = job();
    const first = executor.run(j);
    const again = executor.run({ ...j, image: new Uint8Array([4, 5]) });
    workers.made[1].answer({ type: "failure", runId: workers.made[1].lastRun!, error: { code: "decode_failed", message: "bad" } });
    expect(await again).toMatchObject({ status: "failed", worker: "w1.0" });
    workers.made[0].finish();
    expect(await first).toMatchObject({ status: "completed", worker: "w0.0" });
  });

  test("stop abandons runs still waiting or running: they never settle, so their owner's job can be taken over", async () => {
    const { workers, executor } = setup();
    workers.last.ready();
    let settled = 0;
    for (const run of [executor.run(job()), executor.run(job())]) void run.then(() => settled++);
    executor.stop();
    // stop() settles synchronously if at all: its callbacks run within these microtask turns.
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(settled).toBe(0);
  });

  test("an aborted run's late success does not feed the service-time average", async () => {
    const { clock, workers, executor } = setup();
    workers.last.ready();
    const stop = new AbortController();
    const outcome = executor.run(job(), stop.signal);
    stop.abort();
    await outcome;
    clock.advance(5000);
    workers.last.finish();
    expect(executor.serviceMs).toBeUndefined();
  });
});
