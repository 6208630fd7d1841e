import { expect, test } from "bun:test";
import { runBench } from "../support/bench-report";

// What the rect figures in docs/BENCHMARKS.md come from, run small: every part runs and reports
// what it measured. The speeds themselves are the bench's to report, not a test's to judge.
test("bun run bench --rect --quick: bare shapes, the placement and grey sweeps, and the three modes in the service", async () => {
  const { code, stdout, stderr, report: written } = await runBench(["--rect", "--quick", "--requests", "12", "--concurrency", "4"]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("rect speed-up on 3:2 photos");
  expect(stderr).toContain("rect: grey after image  done");

  const report = await written();
  expect(report.limit.map((l: any) => l.shape)).toEqual(["640x640", "640x608", "640x576", "640x544", "640x512", "640x480", "640x448", "640x416", "640x384"]);
  for (const l of report.limit) expect(l.images_per_second).toBeGreaterThan(1);
  expect(report.service.map((s: any) => `${s.rect}#${s.round}`)).toEqual(["off#1", "on#1", "tight#1", "off#2", "on#2", "tight#2"]);
  for (const s of report.service) expect(s.images_per_second).toBeGreaterThan(0);
  // The centred square's own answers, as the shared models' README gives them.
  const dog = report.placement.find((r: any) => r.photo.startsWith("dog.jpg"));
  expect([dog.centred, dog.classes]).toEqual([80, ["bicycle", "car", "dog"]]);
  expect(report.placement).toHaveLength(7);
  const runs = report.trailing_grey.reduce((n: number, r: any) => n + r.runs, 0);
  expect(runs).toBeGreaterThan(20);
  expect(report.trailing_grey.map((r: any) => r.grey_rows_from)).toEqual([0, 4, 8, 16, 32, 64]);
  expect(report.speedup.on).toBeGreaterThan(0);
  expect(report.speedup.tight).toBeGreaterThan(0);
}, 240_000);
