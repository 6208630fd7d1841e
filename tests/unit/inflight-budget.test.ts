import { describe, expect, test } from "bun:test";
import { InflightBudget } from "../../src/http/inflight-budget";

describe("InflightBudget", () => {
  test("reserves declared lengths up to the budget and gives them back once", () => {
    const budget = new InflightBudget(100);
    const a = budget.reserve("a", 40)!;
    const b = budget.reserve("b", 50)!;
    expect(budget.reserve("c", 20)).toBeUndefined(); // 110 > 100
    expect(budget.bytes).toBe(90);
    a.release();
    a.release(); // idempotent: a request that ends twice does not free twice
    expect(budget.bytes).toBe(50);
    expect(budget.reserve("c", 20)).toBeDefined();
    b.release();
  });

  test("one client holds at most half, so others still get in", () => {
    const budget = new InflightBudget(100);
    const first = budget.reserve("flood", 30)!;
    expect(budget.reserve("flood", 30)).toBeUndefined(); // 60 > 50
    expect(budget.reserve("other", 45)).toBeDefined();
    first.release();
  });

  test("a chunked body grows its lease as it arrives, and is stopped when it no longer fits", () => {
    const budget = new InflightBudget(100);
    const lease = budget.reserve("a", 0)!;
    expect(lease.grow(30)).toBe(true);
    expect(lease.grow(20)).toBe(true);
    expect(lease.grow(1)).toBe(false); // past half the budget for one client
    expect([lease.bytes, budget.bytes]).toEqual([50, 50]);
    lease.release();
    expect(budget.bytes).toBe(0);
    expect(lease.grow(1)).toBe(false); // released leases take nothing more
  });

  test("an upload larger than the budget passes alone, never beside others", () => {
    const budget = new InflightBudget(100);
    const big = budget.reserve("a", 500)!;
    expect(big).toBeDefined();
    expect(budget.reserve("b", 1)).toBeUndefined();
    big.release();
    expect(budget.reserve("b", 1)).toBeDefined();
  });
});
