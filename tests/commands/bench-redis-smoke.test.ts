import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { descendants } from "../../src/util/process-tree";
import { expectSaneRun, spawnBench } from "../support/bench-report";

/**
 * The bench on the Redis backend: REDIS_URL when the runner set one (`bun run
 * test`, CI), else the bench starts its own redis-server. The bench picks its
 * backend from its own flags, not TEST_BACKEND, so this runs once.
 */

const bench = (args: string[]) => spawnBench(["--quick", "--requests", "8", "--concurrency", "4", ...args]);

function expectSaneRedisRun(s: any) {
  expectSaneRun(s, 8);
  expect(s.warm_ms).toBeGreaterThanOrEqual(s.ready_ms);
}

/** A process that is gone, or a zombie waiting for its reaper (it runs nothing). */
function gone(pid: number): boolean {
  try {
    return /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return !existsSync(`/proc/${pid}`);
  }
}

test("bench --backend redis: an API with WORKERS=0 and 2 inference processes, ready, measured, stopped", async () => {
  const { child, out } = bench(["--backend", "redis", "--inference-processes", "2", "--workers-per-process", "1"]);
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(code, stderr).toBe(0);
  expect(stderr).toMatch(/start redis 2×1\s+done ready \d+ ms, all warm \d+ ms/);
  expect(stdout).toContain("[redis API + 2×1]");
  expect(stdout).toContain("service / limit");

  const report = await Bun.file(out).json();
  expect(report.backend).toBe("redis");
  const [s] = report.service;
  expectSaneRedisRun(s);
  expect(s.backend).toEqual({
    kind: "redis",
    api_workers: 0,
    inference_processes: 2,
    workers_per_process: 1,
    ort_threads: 1,
    redis: process.env.REDIS_URL ? "REDIS_URL" : "local",
  });
  expect(s.peak_rss_mb).toBeGreaterThan(100); // the API and both inference processes
}, 60_000);

test("bench --backend compare: embedded and two Redis layouts on the same load, with the change against embedded", async () => {
  const { child, out } = bench(["--backend", "compare", "--layouts", "1x3,2x1"]);
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain("backend comparison");
  expect(stdout).toMatch(/overhead of redis API \+ 1×3 vs embedded \d×\d: [\d.]+% (fewer|more) images\/s/);

  const { comparison } = await Bun.file(out).json();
  expect(comparison.configs.map((c: any) => c.name)).toEqual([expect.stringMatching(/^embedded \d×1$/), "redis API + 1×3", "redis API + 2×1"]);
  expect(comparison.runs).toHaveLength(3);
  for (const r of comparison.runs) expectSaneRedisRun(r.report);
  expect(comparison.runs.map((r: any) => r.report.backend.kind)).toEqual(["embedded", "redis", "redis"]);
  const [base, same, two] = comparison.summary;
  expect(base.change_vs_baseline_pct.throughput).toBe(0);
  for (const row of [same, two]) {
    expect(row.throughput).toBeGreaterThan(0);
    expect(row.e2e_p99).toBeGreaterThanOrEqual(row.e2e_p50);
    expect(row.change_vs_baseline_pct.throughput).toBeCloseTo((row.throughput / base.throughput - 1) * 100, 0);
    expect(row.overhead_by_round_pct).toHaveLength(1);
  }
}, 60_000);

test("bench --backend redis: Ctrl-C stops the API, the inference processes and the Redis it started", async () => {
  const { child } = bench(["--backend", "redis", "--requests", "400"]);
  // Wait for the load to start: every process is up by then.
  const reader = child.stderr.getReader();
  let stderr = "";
  const deadline = Date.now() + 40_000;
  while (!/start redis .* done/.test(stderr)) {
    const { value, done } = await reader.read();
    if (done || Date.now() > deadline) throw new Error(`the bench did not start the service: ${stderr}`);
    stderr += new TextDecoder().decode(value);
  }
  const started = descendants(child.pid);
  expect(started.length).toBeGreaterThanOrEqual(3); // API, inference process (each under its `bun run`)
  child.kill("SIGINT"); // only the bench: it must stop its children itself
  void (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  expect(await child.exited).toBe(130);
  const left = started.filter((pid) => !gone(pid));
  expect(left, `still running: ${left.join(", ")}`).toEqual([]);
}, 60_000);
