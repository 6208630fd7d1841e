import { describe, expect, test } from "bun:test";
import { FifoQueue } from "../../src/queue/fifo-queue";

const drain = <T>(q: FifoQueue<T>) => {
  const out: T[] = [];
  for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
  return out;
};

describe("FifoQueue", () => {
  test("items come out in the order they went in", () => {
    const q = new FifoQueue<string>();
    q.push("a");
    q.push("b");
    q.push("c");
    expect(q.length).toBe(3);
    expect(q.shift()).toBe("a");
    q.push("d");
    expect(drain(q)).toEqual(["b", "c", "d"]);
    expect(q.length).toBe(0);
  });

  test("shift on an empty queue gives undefined and length stays 0", () => {
    const q = new FifoQueue<number>();
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
    q.push(1);
    q.shift();
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  test("positionOf is 1-based from the head and 0 when absent", () => {
    const q = new FifoQueue<string>();
    for (const id of ["a", "b", "c"]) q.push(id);
    expect([q.positionOf("a"), q.positionOf("b"), q.positionOf("c")]).toEqual([1, 2, 3]);
    expect(q.positionOf("zzz")).toBe(0);
    q.shift(); // "a" is now running, no longer queued
    expect(q.positionOf("a")).toBe(0);
    expect([q.positionOf("b"), q.positionOf("c")]).toEqual([1, 2]);
  });

  test("remove takes an item out and later items move up", () => {
    const q = new FifoQueue<string>();
    for (const id of ["a", "b", "c", "d"]) q.push(id);
    q.shift();
    expect(q.remove("c")).toBe(true);
    expect(q.length).toBe(2);
    expect(q.positionOf("c")).toBe(0);
    expect(q.positionOf("d")).toBe(2);
    expect(q.remove("c")).toBe(false); // already gone
    expect(q.remove("a")).toBe(false); // already shifted
    expect(q.remove("nope")).toBe(false);
    expect(drain(q)).toEqual(["b", "d"]);
  });

  test("compaction keeps order and positions: push 5000, shift 3000", () => {
    // shift() compacts once more than 1024 items are consumed and they are over half the array
    const q = new FifoQueue<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    expect(q.length).toBe(2000);
    expect(q.positionOf(3000)).toBe(1);
    expect(q.positionOf(3999)).toBe(1000);
    expect(q.positionOf(4999)).toBe(2000);
    expect(q.positionOf(0)).toBe(0);
    expect(q.positionOf(2999)).toBe(0);

    q.push(5000);
    expect(q.positionOf(5000)).toBe(2001);
    expect(q.remove(3500)).toBe(true);
    expect(q.positionOf(3501)).toBe(501);
    expect(q.length).toBe(2000);

    const rest = drain(q);
    const expected = [];
    for (let i = 3000; i <= 5000; i++) if (i !== 3500) expected.push(i);
    expect(rest).toEqual(expected);
  });

  test("repeated fill/drain cycles stay consistent across compactions", () => {
    const q = new FifoQueue<number>();
    let next = 0;
    let expectHead = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1500; i++) q.push(next++);
      for (let i = 0; i < 1200; i++) expect(q.shift()).toBe(expectHead++);
      expect(q.length).toBe(next - expectHead);
      expect(q.positionOf(expectHead)).toBe(1);
      expect(q.positionOf(next - 1)).toBe(next - expectHead);
    }
  });
});
