import { expect, test } from "bun:test";
import { Semaphore } from "../../src/util/semaphore";

test("two places: a third taker waits for a give, takers are served in arrival order", async () => {
  const slots = new Semaphore(2);
  const order: string[] = [];
  await slots.take();
  await slots.take();
  const c = slots.take().then(() => order.push("c"));
  const d = slots.take().then(() => order.push("d"));
  await Promise.resolve();
  expect(order).toEqual([]);
  slots.give();
  await c;
  expect(order).toEqual(["c"]);
  slots.give();
  await d;
  expect(order).toEqual(["c", "d"]);
  // two gives with nobody waiting free two places again
  slots.give();
  slots.give();
  await slots.take();
  await slots.take();
});
