import { describe, expect, test } from "bun:test";
import { TtlSweeper, sweepExpired } from "../../src/domain/ttl-sweeper";
import type { Task, TaskStatus } from "../../src/domain/task";
import { MapTaskStore } from "../../src/domain/task-store";
import { FakeClock } from "../support/fake-clock";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

const T0 = 1_000_000;
const TTL = 300_000;
const INTERVAL = 60_000;

const makeTask = (id: string, status: TaskStatus, updatedAt: number): Task => ({
  id,
  size: { width: 640, height: 480 },
  status,
  createdAt: updatedAt,
  updatedAt,
  params: { ...DEFAULT_PARAMS, rect: "off" },
});

const storeWith = (...tasks: Task[]) => {
  const store = new MapTaskStore();
  for (const t of tasks) store.create(t);
  return store;
};

/** Counts sweeps: each sweep walks the store once. */
class CountingStore extends MapTaskStore {
  walks = 0;
  override values() {
    this.walks++;
    return super.values();
  }
}

const ids = (store: MapTaskStore) => [...store.values()].map((t) => t.id).sort();

describe("sweepExpired", () => {
  test("removes only terminal tasks at or past the TTL and returns their ids", () => {
    const store = storeWith(
      makeTask("done-old", "completed", T0 - TTL - 1),
      makeTask("failed-old", "failed", T0 - TTL - 1),
      makeTask("done-boundary", "completed", T0 - TTL), // now - updatedAt === ttl
      makeTask("done-fresh", "completed", T0 - TTL + 1),
      makeTask("pending-ancient", "pending", 0),
      makeTask("processing-ancient", "processing", 0),
    );
    const removed = sweepExpired(store, T0, TTL);
    expect(removed.sort()).toEqual(["done-boundary", "done-old", "failed-old"]);
    expect(ids(store)).toEqual(["done-fresh", "pending-ancient", "processing-ancient"]);
  });

  test("an empty store sweeps to nothing", () => {
    expect(sweepExpired(new MapTaskStore(), T0, TTL)).toEqual([]);
  });
});

describe("TtlSweeper with a fake clock", () => {
  test("an expired task goes at the first tick where its age reaches the TTL, not before", () => {
    const clock = new FakeClock(T0);
    // one finished exactly at T0 (age hits TTL on the tick at T0+300s), one 1 ms later
    const store = storeWith(makeTask("a", "completed", T0), makeTask("b", "failed", T0 + 1));
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL);
    gc.start();

    clock.advance(4 * INTERVAL); // ticks at +60..+240 s: both younger than the TTL
    expect(ids(store)).toEqual(["a", "b"]);
    clock.advance(INTERVAL - 1); // just before the +300 s tick: no sweep has run
    expect(ids(store)).toEqual(["a", "b"]);
    clock.advance(1); // tick at +300 s: a is exactly TTL old, b is TTL - 1 ms old
    expect(ids(store)).toEqual(["b"]);
    clock.advance(INTERVAL - 1); // b has expired by now, but the next tick has not come
    expect(ids(store)).toEqual(["b"]);
    clock.advance(1); // tick at +360 s
    expect(ids(store)).toEqual([]);
    gc.stop();
  });

  test("pending and processing tasks are never removed, however old", () => {
    const clock = new FakeClock(T0);
    const store = storeWith(makeTask("p", "pending", T0), makeTask("q", "processing", T0));
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL);
    gc.start();
    clock.advance(7 * 24 * 3600 * 1000); // a week of ticks
    expect(ids(store)).toEqual(["p", "q"]);
    gc.stop();
  });

  test("onSweep receives the removed ids, and is not called when nothing was removed", () => {
    const clock = new FakeClock(T0);
    const store = storeWith(makeTask("x", "completed", T0 - TTL), makeTask("y", "failed", T0 - TTL), makeTask("z", "pending", 0));
    const calls: string[][] = [];
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL, (removed) => calls.push([...removed].sort()));
    gc.start();
    clock.advance(3 * INTERVAL);
    expect(calls).toEqual([["x", "y"]]);
    gc.stop();
  });

  test("sweep() can be called directly and uses the clock's time", () => {
    const clock = new FakeClock(T0);
    const store = storeWith(makeTask("x", "completed", T0));
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL);
    expect(gc.sweep()).toEqual([]);
    clock.advance(TTL); // no timers started, so nothing runs on its own
    expect(ids(store)).toEqual(["x"]);
    expect(gc.sweep()).toEqual(["x"]);
  });

  test("stop() cancels the timer and no more sweeps happen", () => {
    const clock = new FakeClock(T0);
    const store = new MapTaskStore();
    let sweeps = 0;
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL, () => sweeps++);
    gc.start();
    expect(clock.pendingTimers).toBe(1);
    gc.stop();
    expect(clock.pendingTimers).toBe(0);
    store.create(makeTask("old", "completed", 0));
    clock.advance(10 * INTERVAL);
    expect(sweeps).toBe(0);
    expect(ids(store)).toEqual(["old"]);
    gc.stop(); // stopping twice is harmless
    expect(clock.pendingTimers).toBe(0);
  });

  test("start() twice keeps a single timer", () => {
    const clock = new FakeClock(T0);
    const store = new CountingStore();
    const gc = new TtlSweeper(store, clock, TTL, INTERVAL);
    gc.start();
    gc.start();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(3 * INTERVAL);
    expect(store.walks).toBe(3); // one sweep per interval, not two
    gc.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
