import { expect } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./paths";

/** `bun run bench` with these options in a child process, writing its report to a file of its own (`out`). */
export function spawnBench(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), "bench-")), "report.json");
  const child = Bun.spawn(["bun", "run", "bench/run.ts", ...args, "--out", out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
  return { child, out };
}

/** A bench run to its end: its exit code, what it printed, and its report (read only if it wrote one). */
export async function runBench(args: string[]) {
  const { child, out } = spawnBench(args);
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, stdout, stderr, report: () => Bun.file(out).json() as Promise<any> };
}

/** What every service run of a `--quick --requests n` bench must report, whichever backend ran it: each upload accepted and completed. */
export function expectSaneRun(s: any, n: number) {
  expect(s.requests).toBe(n);
  expect(s.statuses).toEqual({ completed: n });
  expect(s.http_codes).toEqual({ "201": n });
  expect(s.throughput).toBeGreaterThan(0);
  expect(s.post_ms.p50).toBeGreaterThan(0);
  expect(s.e2e_ms.p99).toBeGreaterThanOrEqual(s.e2e_ms.p50);
  expect(s.ready_ms).toBeGreaterThan(0);
}
