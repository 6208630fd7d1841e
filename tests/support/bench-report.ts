import { expect } from "bun:test";

/** What every service run of a `--quick --requests 8` bench must report, whichever backend ran it. */
export function expectSaneRun(s: any) {
  expect(s.requests).toBe(8);
  expect(s.statuses).toEqual({ completed: 8 });
  expect(s.http_codes).toEqual({ "201": 8 });
  expect(s.throughput).toBeGreaterThan(0);
  expect(s.post_ms.p50).toBeGreaterThan(0);
  expect(s.e2e_ms.p99).toBeGreaterThanOrEqual(s.e2e_ms.p50);
  expect(s.ready_ms).toBeGreaterThan(0);
}
