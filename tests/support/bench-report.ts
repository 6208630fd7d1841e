import { expect } from "bun:test";

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
