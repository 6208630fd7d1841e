import { describe, expect, test } from "bun:test";
import { averageServiceMs, backlogSeconds, etaMs, extraRunsAhead } from "../../src/domain/eta";
import { inputScaleOf, runsOf } from "../../src/executor/tiled-detection";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { FAKE_MODEL } from "../support/fake-worker";

// 200 ms a run on 2 workers.
const RATE = { serviceMs: 200, warmupMs: 50, lanes: 2 };
const NOW = 10_000;

describe("etaMs: what a task's eta_ms says, with literal rates", () => {
  test("pending: the queue ahead on the lanes, then its own run; processing: what is left of its run; finished: none", () => {
    expect(etaMs({ status: "pending" }, 1, RATE, NOW)).toBe(400);
    expect(etaMs({ status: "pending" }, 3, RATE, NOW)).toBe(600);
    expect(etaMs({ status: "processing", startedAt: NOW - 150 }, 0, RATE, NOW)).toBe(50);
    expect(etaMs({ status: "processing", startedAt: NOW - 900 }, 0, RATE, NOW)).toBe(0);
    expect(etaMs({ status: "completed" }, 0, RATE, NOW)).toBeUndefined();
  });

  test("a tiled task prices its own runs: its tiles two at a time, then the whole image", () => {
    // 9 runs: 8 tiles on 2 lanes (4 × 200) and the whole pass (200).
    expect(etaMs({ status: "pending" }, 1, RATE, NOW, 9)).toBe(200 + 1000);
    expect(etaMs({ status: "processing", startedAt: NOW - 300 }, 0, RATE, NOW, 9)).toBe(700);
  });

  test("before any run has finished, the warm-up run (at least 100 ms) stands in for the service time", () => {
    expect(etaMs({ status: "pending" }, 1, { warmupMs: 50, lanes: 1 }, NOW)).toBe(200);
    expect(etaMs({ status: "pending" }, 1, { warmupMs: 300, lanes: 1 }, NOW)).toBe(600);
  });

  test("the moving average starts at the first run and moves a fifth of the way to each next one", () => {
    expect(averageServiceMs(undefined, 120)).toBe(120);
    expect(averageServiceMs(120, 220)).toBe(140);
  });

  test("backlogSeconds: whole seconds for the waiting tasks to drain, at least 1", () => {
    expect(backlogSeconds(0, RATE)).toBe(1);
    expect(backlogSeconds(25, RATE)).toBe(3);
  });
});

describe("inputScaleOf: a task at imgsz costs its input's area against the model's own", () => {
  test("1280 on a 640 model is four runs' worth, 320 a quarter, the default one; the ETA of its own run scales with it", () => {
    const at = (imgsz: number) => inputScaleOf({ params: { ...DEFAULT_PARAMS, imgsz } }, [{ ...FAKE_MODEL, imgsz: { min: 320, max: 1280, step: 32 } }]);
    expect([at(0), at(320), at(1280)]).toEqual([1, 0.25, 4]);
    const rate = { serviceMs: 100, lanes: 1 };
    expect([etaMs({ status: "pending" }, 2, rate, 0, 1, 0, 1), etaMs({ status: "pending" }, 2, rate, 0, 1, 0, 4)]).toEqual([300, 600]);
  });
});

describe("runsOf: the runs a task takes, as runDetection will cut it", () => {
  test("one for an image run whole; its tiles and the whole image with tile=on or a large one with auto", () => {
    const photo = { width: 768, height: 576 };
    const twelveMp = { width: 4000, height: 3000 };
    expect(runsOf({ size: photo, params: DEFAULT_PARAMS }, [FAKE_MODEL])).toBe(1);
    expect(runsOf({ size: twelveMp, params: { ...DEFAULT_PARAMS, tile: "auto" } }, [FAKE_MODEL])).toBeGreaterThan(20);
    // 400 px tiles overlapping by a fifth: 3 columns (0, 320, 368) × 2 rows (0, 176), then the whole image.
    expect(runsOf({ size: photo, params: { ...DEFAULT_PARAMS, tile: "on", tileSize: 400 } }, [FAKE_MODEL])).toBe(3 * 2 + 1);
    expect(runsOf({ size: twelveMp, params: { ...DEFAULT_PARAMS, tile: "auto" } }, undefined)).toBe(1); // no model yet
  });
});

describe("extraRunsAhead: tiled tasks ahead priced by their runs", () => {
  // 100 ms a run on 2 lanes
  const RATE2 = { serviceMs: 100, lanes: 2 };
  const t0 = 1_000_000;
  const pending = (id: string, runs: number, position: number, createdAt = t0) => ({ id, runs, status: "pending" as const, position, createdAt });

  test("a tiled task waiting ahead adds its runs but one; one behind adds nothing", () => {
    const heavy = [pending("a", 13, 1), pending("b", 49, 5)];
    expect(extraRunsAhead(heavy, { position: 3, createdAt: t0 + 1 }, RATE2, t0)).toBe(12);
    expect(extraRunsAhead(heavy, { position: 6, createdAt: t0 + 1 }, RATE2, t0)).toBe(12 + 48);
  });

  test("a running one adds what its lanes have not got through yet, but one", () => {
    const running = { id: "r", runs: 13, status: "processing" as const, position: 0, createdAt: t0, startedAt: t0 };
    expect(extraRunsAhead([running], { position: 1, createdAt: t0 + 1 }, RATE2, t0)).toBe(12);
    // 300 ms in, 2 lanes at 100 ms a run: 6 runs done, 7 left, 6 more than one
    expect(extraRunsAhead([running], { position: 1, createdAt: t0 + 1 }, RATE2, t0 + 300)).toBe(6);
    expect(extraRunsAhead([running], { position: 1, createdAt: t0 + 1 }, RATE2, t0 + 5_000)).toBe(0);
  });

  test("a tie in position is a stale reading: the one that came first is ahead", () => {
    expect(extraRunsAhead([pending("a", 13, 1, t0)], { position: 1, createdAt: t0 + 5 }, RATE2, t0)).toBe(12);
    expect(extraRunsAhead([pending("a", 13, 1, t0 + 9)], { position: 1, createdAt: t0 + 5 }, RATE2, t0)).toBe(0);
  });

  test("etaMs counts them with the tasks ahead: position 2 behind a 13-run tiled task on 2 lanes", () => {
    const ahead = extraRunsAhead([pending("a", 13, 1)], { position: 2, createdAt: t0 + 1 }, RATE2, t0);
    // (2 + 12) / 2 lanes = 7 rounds of 100 ms, then its own run
    expect(etaMs({ status: "pending" }, 2, RATE2, t0, 1, ahead)).toBe(800);
    expect(etaMs({ status: "pending" }, 2, RATE2, t0, 1)).toBe(200);
  });
});
