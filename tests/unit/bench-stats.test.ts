import { describe, expect, test } from "bun:test";
import { serviceReport } from "../../src/bench-kit/report";
import { countBy, median, percentile, summarize, table } from "../../src/bench-kit/stats";

describe("bench statistics", () => {
  test("nearest-rank percentiles", () => {
    const s = [5, 1, 4, 2, 3]; // sorted: 1 2 3 4 5
    expect(percentile(s, 50)).toBe(3);
    expect(percentile(s, 99)).toBe(5);
    expect(percentile(s, 0)).toBe(1);
    expect(percentile(s, 20)).toBe(1); // rank ceil(0.2·5) = 1
    expect(percentile(s, 21)).toBe(2);
    expect(median([10, 20])).toBe(10);
    expect(percentile([], 50)).toBeNaN();
    // 100 samples 1..100: p99 is the 99th value
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  test("summaries, counts and the text table", () => {
    expect(summarize([1.04, 2.06, 9.99])).toEqual({ n: 3, p50: 2.1, p99: 10, max: 10 });
    expect(countBy([201, 201, 429, 201])).toEqual({ "201": 3, "429": 1 });
    expect(table([["a", "bb"], ["ccc", 1]])).toBe("a    bb\nccc  1 ");
  });

  test("a service report counts only completed tasks toward throughput", () => {
    const t = { queue: 10, preprocess: 5, inference: 100, postprocess: 1, annotate: 20, total: 126 };
    const report = serviceReport(
      [
        { image: "a", httpCode: 201, postMs: 4, e2eMs: 300, status: "completed", timings: t },
        { image: "b", httpCode: 201, postMs: 6, e2eMs: 500, status: "completed", timings: { ...t, inference: 120 } },
        { image: "c", httpCode: 201, postMs: 5, e2eMs: 50, status: "failed" },
        { image: "d", httpCode: 415, postMs: 2 },
      ],
      2,
      4,
      "test",
    );
    expect(report.throughput).toBe(1); // 2 completed in 2 s
    expect(report.http_codes).toEqual({ "201": 3, "415": 1 });
    expect(report.statuses).toEqual({ completed: 2, failed: 1, rejected: 1 });
    expect(report.e2e_ms.n).toBe(3);
    expect(report.post_ms.max).toBe(6);
    expect(report.phase_medians_ms.inference).toBe(100);
  });
});
