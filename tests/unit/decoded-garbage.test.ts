import { describe, expect, test } from "bun:test";
import { DECODED_GARBAGE_BUDGET, DecodedGarbage, decodedBytes } from "../../src/executor/decoded-garbage";

describe("DecodedGarbage: when a worker collects the decodes it has dropped", () => {
  test("collects once the bytes since the last collection reach the budget, then counts again from zero", () => {
    const garbage = new DecodedGarbage(100);
    expect([40, 40, 19].map((b) => garbage.decoded(b))).toEqual([false, false, false]);
    expect(garbage.decoded(1)).toBe(true);
    expect([99, 1].map((b) => garbage.decoded(b))).toEqual([false, true]);
  });

  test("one decode larger than the budget is collected after its own run", () => {
    const garbage = new DecodedGarbage(100);
    expect(garbage.decoded(500)).toBe(true);
    expect(garbage.decoded(1)).toBe(false);
  });

  test("the default budget: after each 12 MP photo, but only after a dozen ordinary ones", () => {
    const twelveMp = decodedBytes({ size: { width: 4000, height: 3000 } });
    const photo = decodedBytes({ size: { width: 768, height: 576 } });
    const garbage = new DecodedGarbage(DECODED_GARBAGE_BUDGET);
    expect([garbage.decoded(twelveMp), garbage.decoded(twelveMp)]).toEqual([true, true]);
    let runs = 1;
    while (!garbage.decoded(photo)) runs++;
    expect(runs).toBeGreaterThanOrEqual(12);
  });

  test("a tile counts its region, not the whole image", () => {
    expect(decodedBytes({ size: { width: 4000, height: 3000 }, region: { width: 640, height: 640 } })).toBe(640 * 640 * 3);
  });
});
