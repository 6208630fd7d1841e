import { expect, test } from "bun:test";
import { Executor } from "../../src/executor/executor";
import { runDetection, runsOf } from "../../src/executor/tiled-detection";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { jsonLogger } from "../../src/util/logger";
import { FakeClock } from "../support/fake-clock";
import { FAKE_MODEL, fakeSpawner } from "../support/fake-worker";

// What tests/api/tiles.test.ts once bounded in milliseconds ("idle again within
// 1.5 s of a cancel"), as order and state: after a cancel no tile is posted to
// a worker, whatever the machine's speed.
test("a cancel during the tiles: the tile running finishes, none of the waiting tiles is ever posted, and the task is canceled", async () => {
  const workers = fakeSpawner();
  const executor = new Executor({
    models: [{ name: "fake", path: "fake.onnx" }],
    workers: 2,
    threadsPerWorker: 1,
    maxPixels: 1e8,
    taskTimeoutMs: 10_000,
    annotatedMaxSide: 0,
    clock: new FakeClock(),
    log: jsonLogger("error", () => {}),
    spawn: workers.spawn,
    onFatal: () => {},
  });
  executor.start();
  workers.made[0].ready();
  workers.made[1]?.ready();
  const job = { id: "tiled", image: new Uint8Array(8), size: { width: 4000, height: 3000 }, params: { ...DEFAULT_PARAMS, tile: "on" as const } };
  expect(runsOf(job, [FAKE_MODEL])).toBeGreaterThan(10); // many tiles, far more than workers
  const posted = () => workers.made.reduce((n, w) => n + w.received.filter((m) => m.type === "predict").length, 0);

  const stop = new AbortController();
  const outcome = runDetection(executor, job, stop.signal);
  const runningBefore = posted();
  expect(runningBefore).toBeGreaterThan(0);
  expect(runningBefore).toBeLessThanOrEqual(workers.made.length); // one tile per worker, the rest waiting
  stop.abort();
  expect(await outcome).toEqual({ status: "canceled" });
  // The running tiles answer; their workers free up and take nothing more of this task.
  for (const w of workers.made) if (w.lastRun) w.finish();
  expect(posted()).toBe(runningBefore);
  expect(executor.idleWorkers).toBe(workers.made.length);
});
