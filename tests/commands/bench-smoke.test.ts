import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectSaneRun } from "../support/bench-report";
import { REPO } from "../support/paths";

// 32 clients uploading at once from one address: more tasks than one client may have waiting
// by default (CLIENT_QUEUE_MAX, 25). The bench lifts that cap for the services it starts.
const REQUESTS = 40;
const CLIENTS = 32;

test("bun run bench --quick runs end to end and writes a sane report, every upload accepted", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "bench-")), "report.json");
  const child = Bun.spawn(["bun", "run", "bench/run.ts", "--quick", "--requests", String(REQUESTS), "--concurrency", String(CLIENTS), "--out", out], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("service / limit");
  expect(stderr).toContain("done"); // the progress bar ran

  const report = await Bun.file(out).json();
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
