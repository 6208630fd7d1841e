import { expect, test } from "bun:test";
import { runBench } from "../support/bench-report";

// What the several-models and imgsz figures in docs/BENCHMARKS.md come from, run small: every part
// runs and reports what it measured. The figures themselves are the bench's to report.
test("bun run bench --models --quick: one model against two, on the one-model load and a mixed one", async () => {
  const { code, stderr, report: written } = await runBench(["--models", "--quick", "--requests", "8", "--concurrency", "4"]);
  expect(code, stderr).toBe(0);
  const report = await written();
  expect(report.runs.map((r: any) => r.run)).toEqual(["one model, yolov8n load", "two models, yolov8n load", "two models, mixed load"]);
  for (const r of report.runs) expect([r.run, r.images_per_second > 0, r.idle_rss_mb > 0, r.peak_rss_mb >= r.idle_rss_mb]).toEqual([r.run, true, true, true]);
}, 240_000);

test("bun run bench --imgsz --quick: the model's own size, the smallest and the largest, and the memory each leaves", async () => {
  const { code, stderr, report: written } = await runBench(["--imgsz", "--quick"]);
  expect(code, stderr).toBe(0);
  const report = await written();
  expect(report.runs.map((r: any) => [r.imgsz, r.input])).toEqual([[0, "640x480"], [320, "320x256"], [0, "640x480"], [1280, "1280x960"], [0, "640x480"]]);
  for (const r of report.runs) expect(r.ms).toBeGreaterThan(0);
}, 120_000);
