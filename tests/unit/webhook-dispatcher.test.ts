import { expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { jsonLogger } from "../../src/util/logger";
import { WebhookDispatcher } from "../../src/webhook/dispatcher";
import { MemoryDeliveryQueue } from "../../src/webhook/memory-delivery-queue";
import { FakeClock } from "../support/fake-clock";
import { loopbackOnly, TEST_WEBHOOK_SECRET, WebhookReceiver } from "../support/webhook-receiver";

const quiet = jsonLogger("silent");

test("a dead receiver holds at most WEBHOOK_CONCURRENCY sockets; the rest wait in the queue", async () => {
  const receiver = new WebhookReceiver();
  const clock = new FakeClock(Date.now());
  const queue = new MemoryDeliveryQueue(100, 60_000, quiet);
  const dispatcher = new WebhookDispatcher({
    queue, render: async (id) => ({ task_id: id }), secret: TEST_WEBHOOK_SECRET, allowPrivate: true, concurrency: 2, clock, log: quiet, resolve: loopbackOnly, timeoutMs: 60_000,
  });
  const url = receiver.url("/slow", Array(5).fill("hang"));
  for (let i = 0; i < 5; i++) queue.enqueue(`t${i}`, "completed", url, clock.now());
  dispatcher.start();
  dispatcher.nudge();
  await receiver.waitFor("/slow", 2);
  clock.advance(5_000);
  await Bun.sleep(50); // absence cannot be awaited: give a third attempt the chance to (wrongly) start
  expect(receiver.of("/slow")).toHaveLength(2);
  expect(dispatcher.inFlight).toBe(2);
  receiver.stop(); // answers the held requests: the freed slots take the next events
  await dispatcher.stop();
});

test("past its bound the queue gives an event up at once, recorded as such", async () => {
  const queue = new MemoryDeliveryQueue(1, 60_000, quiet);
  expect(queue.enqueue("a", "completed", "http://127.0.0.1:9/x", 0)).toBe(true);
  expect(queue.enqueue("b", "completed", "http://127.0.0.1:9/x", 0)).toBe(false);
  expect(await queue.statesOf("b")).toEqual([{ event: "completed", webhookId: "msg_b_completed", state: "given_up", attempts: 0, lastError: "the delivery queue was full" }]);
  // One event is queued once, however often its move is reported.
  expect(queue.enqueue("a", "completed", "http://127.0.0.1:9/x", 0)).toBe(true);
  expect(await queue.claimDue(0, 10)).toHaveLength(1);
});

test("a drain attempts every waiting event at once, whatever its schedule", async () => {
  const receiver = new WebhookReceiver();
  const clock = new FakeClock(Date.now());
  const queue = new MemoryDeliveryQueue(100, 60_000, quiet);
  const dispatcher = new WebhookDispatcher({ queue, render: async (id) => ({ task_id: id }), secret: TEST_WEBHOOK_SECRET, allowPrivate: true, concurrency: 4, clock, log: quiet, resolve: loopbackOnly });
  const url = receiver.url("/drain", [500]);
  queue.enqueue("d", "completed", url, clock.now());
  dispatcher.start();
  dispatcher.nudge();
  await receiver.waitFor("/drain", 1);
  // The retry is 5 s away on the task clock; the drain does not wait for it.
  await dispatcher.drain(5_000);
  const got = receiver.of("/drain");
  expect(got).toHaveLength(2);
  new Webhook(TEST_WEBHOOK_SECRET).verify(got[1].body, got[1].headers);
  expect((await queue.statesOf("d"))[0]).toMatchObject({ state: "delivered", attempts: 2, lastStatus: 200 });
  receiver.stop();
});
