import { describe, expect, test } from "bun:test";
import { FairQueue } from "../../src/queue/fair-queue";

const drain = <T>(q: FairQueue<T>) => {
  const out: T[] = [];
  for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
  return out;
};
/** Items named by their client's letter: "a1" is client a's first. */
const fill = (q: FairQueue<string>, items: string[]) => {
  for (const item of items) q.push(item[0], item);
};
/** Every queued item, ordered by the position it reports. */
const byPosition = (q: FairQueue<string>, items: string[]) =>
  items.filter((i) => q.positionOf(i) > 0).sort((x, y) => q.positionOf(x) - q.positionOf(y));

describe("FairQueue", () => {
  test("one client alone is served first come, first served", () => {
    const q = new FairQueue<string>();
    fill(q, ["a1", "a2", "a3"]);
    expect(drain(q)).toEqual(["a1", "a2", "a3"]);
  });

  test("a flood does not hold back a client with one task: it runs after one task per client ahead of it", () => {
    const q = new FairQueue<string>();
    fill(q, ["a1", "a2", "a3", "a4", "a5", "b1"]);
    expect([q.positionOf("b1"), q.positionOf("a2"), q.positionOf("a5")]).toEqual([2, 3, 6]);
    expect(drain(q)).toEqual(["a1", "b1", "a2", "a3", "a4", "a5"]);
  });

  test("clients take turns in the order they became active; a returning client goes to the back", () => {
    const q = new FairQueue<string>();
    fill(q, ["a1", "a2", "b1", "c1", "c2", "c3"]);
    expect(q.shift()).toBe("a1");
    expect(q.shift()).toBe("b1"); // b has nothing left: out of the turn order
    q.push("b", "b2"); // b comes back after a and c
    expect(drain(q)).toEqual(["c1", "a2", "b2", "c2", "c3"]);
  });

  test("positions are the order shift() will give, literally", () => {
    const q = new FairQueue<string>();
    const items = ["a1", "a2", "a3", "b1", "b2", "c1"];
    fill(q, items);
    expect(items.map((i) => q.positionOf(i))).toEqual([1, 4, 6, 2, 5, 3]);
    expect(byPosition(q, items)).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
    expect(drain(q)).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
    expect(q.positionOf("a1")).toBe(0);
  });

  test("removing a waiting item closes the gap; a client with nothing left leaves the turn order", () => {
    const q = new FairQueue<string>();
    fill(q, ["a1", "a2", "b1", "c1"]);
    expect(q.remove("b1")).toBe(true);
    expect(q.remove("b1")).toBe(false);
    expect([q.activeClients, q.length, q.lengthOf("a"), q.lengthOf("b")]).toEqual([2, 3, 2, 0]);
    expect([q.positionOf("a1"), q.positionOf("c1"), q.positionOf("a2")]).toEqual([1, 2, 3]);
    expect(q.remove("a1")).toBe(true); // a's turn stays where it was
    expect(drain(q)).toEqual(["a2", "c1"]);
  });

  test("largest backlogs: bounded, most first", () => {
    const q = new FairQueue<string>();
    fill(q, ["a1", "b1", "b2", "b3", "c1", "c2"]);
    expect(q.largestBacklogs(2)).toEqual([
      { client: "b", waiting: 3 },
      { client: "c", waiting: 2 },
    ]);
    expect(q.largestBacklogs(10)).toHaveLength(3);
  });

  test("under random pushes, shifts and removals, positions always match the order of service", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const q = new FairQueue<string>();
    const live: string[] = [];
    for (let step = 0; step < 2000; step++) {
      const op = rand(10);
      if (op < 5) {
        const item = `${"abcde"[rand(5)]}${step}`;
        q.push(item[0], item);
        live.push(item);
      } else if (op < 8) {
        const expected = byPosition(q, live)[0];
        const got = q.shift();
        expect(got).toBe(expected);
        if (got) live.splice(live.indexOf(got), 1);
      } else if (live.length) {
        const victim = live.splice(rand(live.length), 1)[0];
        expect(q.remove(victim)).toBe(true);
      }
      if (step % 97 === 0) {
        const order = byPosition(q, live);
        // positions are 1..n with no gap or tie
        expect(order.map((i) => q.positionOf(i))).toEqual(order.map((_, k) => k + 1));
        expect(q.length).toBe(live.length);
      }
    }
    const order = byPosition(q, live);
    expect(order.length).toBeGreaterThan(0);
    expect(drain(q)).toEqual(order);
  });
});
