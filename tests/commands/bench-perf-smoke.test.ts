import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { runBench } from "../support/bench-report";
import { IMAGES } from "../support/paths";

// What the --perf figures in docs/BENCHMARKS.md come from, run small: every part runs and reports
// what it measured, each target with its figures. The speeds are the bench's to report, not a test's to judge.
test("bun run bench --perf --quick: bare ORT at both shapes, the bare pipeline, both loads, the probe and the targets", async () => {
  const { code, stdout, stderr, report: written } = await runBench(["--perf", "--quick", "--clients", "8"]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("CPU ms per image by thread");
  for (const bar of ["bare ORT 640x640", "bare ORT, default shapes", "bare pipeline", "warm-up", "polling: 8 clients", "events: 32 clients, rect=off"]) expect(stderr).toContain(bar);

  const r = await written();
  expect(r.limit.cpuMsPerImage).toBeGreaterThan(0);
  expect(r.limit.cheapest.cpuMsPerImage).toBeGreaterThan(0);
  // Every shared photo at the one shape the default gives it.
  const photos = readdirSync(IMAGES).filter((f) => f.endsWith(".jpg")).sort();
  expect(r.shapes.shapes.flatMap((s: any) => s.photos).sort()).toEqual(photos);
  for (const s of r.shapes.shapes) expect(s.cpu_ms_per_image).toBeGreaterThan(0);
  expect(r.pipeline.images).toBeGreaterThan(0);
  expect(r.pipeline.threads_ms_per_image.Worker).toBeGreaterThan(0);
  expect(r.polling.completed).toBeGreaterThan(0);
  expect(r.polling.threads_ms_per_image.main).toBeGreaterThan(0);
  expect(r.polling.probe_post_ms.n).toBeGreaterThan(0);
  expect(r.events.map((e: any) => e.rect)).toEqual(["default", "off"]);
  for (const e of r.events) expect(e.cpu_ms_per_image).toBeGreaterThan(0);
  expect(r.poll_cost.pending.polls).toBeGreaterThan(0);
  expect(r.targets.map((t: any) => t.target.split(".")[0])).toEqual(["1a", "1b", "1c", "2", "3", "earlier: CPU per poll, pending task", "earlier: CPU per poll, finished with inline image", "earlier: events throughput / bare limit"]);
  for (const t of r.targets) expect(t.reached).not.toContain("NaN");
}, 300_000);

test("bun run bench --perf --parts refuses a part it does not know, before measuring anything", async () => {
  const { code, stderr } = await runBench(["--perf", "--parts", "limit,bogus"]);
  expect(code).toBe(2);
  expect(stderr).toContain("--parts takes limit,shapes,pipeline,polling,events,poll-cost (got bogus)");
});
