import { expect, test } from "bun:test";
import { clusterRate, type Heartbeat } from "../../src/backend/redis/inference-registry";

const beat = (over: Partial<Heartbeat>): Heartbeat => ({ id: "p", host: "h", pid: 1, workers: 3, ready: 3, busy: 0, ...over });

test("lanes add up across processes; service time is the mean weighted by ready workers", () => {
  expect(clusterRate([beat({ ready: 3, serviceMs: 100 }), beat({ ready: 1, serviceMs: 300 })])).toEqual({ lanes: 4, serviceMs: 150, warmupMs: undefined });
});

test("a process that has timed nothing, or has no ready worker, does not pull the average", () => {
  expect(clusterRate([beat({ ready: 2, serviceMs: 120 }), beat({ ready: 2 }), beat({ ready: 0, serviceMs: 9000 })]).serviceMs).toBe(120);
});

test("no process: no lanes and no rate; warm-up is the slowest reported", () => {
  expect(clusterRate([])).toEqual({ lanes: 0, serviceMs: undefined, warmupMs: undefined });
  expect(clusterRate([beat({ warmupMs: 90 }), beat({ warmupMs: 160 })]).warmupMs).toBe(160);
});
