import { expect, test } from "bun:test";
import { runBench } from "../support/bench-report";

// What the rect figures in docs/BENCHMARKS.md come from, run small: every part runs and reports
// what it measured. The speeds themselves are the bench's to report, not a test's to judge.
test("bun run bench --rect --quick: bare shapes, and both modes in the service", async () => {
  const { code, stdout, stderr, report: written } = await runBench(["--rect", "--quick", "--requests", "14", "--concurrency", "4"]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("rect=off over rect=on");
  expect(stderr).toMatch(/rect: bare ORT shapes +done/);

  const report = await written();
  expect(report.limit.map((l: any) => l.shape)).toEqual(["640x640", "640x608", "640x576", "640x544", "640x512", "640x480", "640x448", "640x416", "640x384"]);
  for (const l of report.limit) expect(l.images_per_second).toBeGreaterThan(1);
  expect(report.service.map((s: any) => `${s.rect}#${s.round}`)).toEqual(["off#1", "on#1", "off#2", "on#2"]);
  for (const s of report.service) expect(s.cpu_ms_per_image).toBeGreaterThan(0);
  expect(report.cpu_ratio_off_to_on).toBeGreaterThan(0);
}, 240_000);
