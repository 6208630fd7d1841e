import { expect, test } from "bun:test";
import { expectSaneRun, runBench } from "../support/bench-report";

// 32 clients uploading at once from one address: more tasks than one client may have waiting
// by default (CLIENT_QUEUE_MAX, 25). The bench lifts that cap for the services it starts.
const REQUESTS = 40;
const CLIENTS = 32;

test("bun run bench --quick runs end to end and writes a sane report, every upload accepted", async () => {
  const { code, stdout, stderr, report: written } = await runBench(["--quick", "--requests", String(REQUESTS), "--concurrency", String(CLIENTS)]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("service / limit");
  expect(stderr).toContain("done"); // the progress bar ran

  const report = await written();
  expect(report.machine.cores).toBeGreaterThan(0);
  expect(report.limit.map((l: any) => l.layout)).toEqual(["1x2", "2x1", "1x1"]);
  for (const l of report.limit) expect(l.imagesPerSecond).toBeGreaterThan(1);
  const [s] = report.service;
  expectSaneRun(s, REQUESTS);
  expect(s.peak_rss_mb).toBeGreaterThan(50);
  for (const phase of ["queue", "preprocess", "inference", "postprocess", "annotate", "total"]) {
    expect(s.phase_medians_ms[phase]).toBeGreaterThanOrEqual(0);
  }
  expect(report.ratio_service_to_limit).toBeGreaterThan(0);
  expect(report.pipeline_ms.map((p: any) => p.image)).toEqual(["dog.jpg@original"]);
  expect(report.pipeline_ms[0].non_inference).toBeGreaterThan(0);
  expect(report.pipeline_ms[0].inference).toBeGreaterThan(10);
}, 120_000);
