import { describe, expect, test } from "bun:test";
import { Throughput } from "../../src/monitor/throughput";

describe("Throughput", () => {
  const T = 1_700_000_000_000; // a whole second

  test("counts completions per whole second, oldest first; the second under way is not shown yet", () => {
    const t = new Throughput(5);
    for (const ms of [T + 10, T + 900, T + 1000, T + 3500, T + 4999]) t.add(ms);
    // at T+5.2 s the window is the seconds T..T+4
    expect(t.series(T + 5200)).toEqual([2, 1, 0, 1, 1]);
    expect(t.reading(T + 5200)).toEqual({ series: [2, 1, 0, 1, 1], perSecond: 1 });
    t.add(T + 5100);
    expect(t.series(T + 5200)).toEqual([2, 1, 0, 1, 1]);
    expect(t.series(T + 6000)).toEqual([1, 0, 1, 1, 1]);
  });

  test("a quiet window is all zeros, and old seconds are forgotten", () => {
    const t = new Throughput(3);
    t.add(T);
    expect(t.series(T + 60_000)).toEqual([0, 0, 0]);
    expect(t.reading(T + 60_000)).toEqual({ series: [0, 0, 0], perSecond: 0 });
  });
});
