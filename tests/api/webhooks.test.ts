import { afterAll, beforeAll, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { RETRY_DELAYS_MS } from "../../src/domain/webhook";
import { POLL_MS } from "../../src/webhook/dispatcher";
import sharp from "sharp";
import { onRedis } from "../support/backend";
import { FakeClock } from "../support/fake-clock";
import { getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService, waitFor } from "../support/test-service";
import { loopbackOnly, TEST_WEBHOOK_SECRET, WebhookReceiver } from "../support/webhook-receiver";

// Webhooks to a real receiver on loopback (WEBHOOK_ALLOW_PRIVATE=true), on a
// fake clock so the retry schedule is checked without waiting it out. The
// jitter is pinned at half its range: each delay is stretched by 5 %. The
// tests that move the clock far ahead come last: signatures are verified
// against real time (5 minutes of tolerance).
const clock = new FakeClock(Date.now());
const STRETCH = 1.05;
let svc: TestService;
let locked: TestService;
let receiver: WebhookReceiver;
let dog: Uint8Array;
const verifier = new Webhook(TEST_WEBHOOK_SECRET);

beforeAll(async () => {
  receiver = new WebhookReceiver();
  dog = await readImage("dog.jpg");
  const env = { WORKERS: "1", WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, TASK_TTL_S: "7200" };
  svc = await startTestService({ ...env, WEBHOOK_ALLOW_PRIVATE: "true" }, { clock, random: () => 0.5, resolve: loopbackOnly });
  locked = await startTestService(env, { resolve: loopbackOnly });
});
afterAll(async () => {
  await Promise.all([svc?.stop(), locked?.stop()]);
  receiver?.stop();
});

async function submit(fields: Record<string, string>, query = "") {
  const res = await upload(svc.app, dog, { fields, query });
  const body = (await res.json()) as any;
  expect(res.status).toBe(201);
  return body.task_id as string;
}

/** The task's delivery of `event` as its view shows it, once `ready` holds for it. */
async function deliveryOf(id: string, event: string, ready: (d: any) => boolean) {
  let found: any;
  await waitFor(async () => {
    const { body } = await getJson(svc.app, `/result/${id}`);
    found = body.webhook?.deliveries.find((d: any) => d.event === event);
    return found !== undefined && ready(found);
  }, 30_000, `the ${event} delivery of ${id}`);
  return found;
}

test("the completed event arrives signed per Standard Webhooks, as the task view without the inline image", async () => {
  const id = await submit({ webhook: receiver.url("/plain") });
  const [got] = await receiver.waitFor("/plain", 1);
  // The library verifies id, timestamp and signature; a wrong secret fails.
  const payload = verifier.verify(got.body, got.headers) as any;
  expect(() => new Webhook("whsec_" + Buffer.alloc(24, 7).toString("base64")).verify(got.body, got.headers)).toThrow();
  expect(got.headers["webhook-id"]).toBe(`msg_${id}_completed`);
  expect(payload.type).toBe("task.completed");
  expect(payload.data).toMatchObject({ task_id: id, status: "completed", links: { image: `/result/${id}/image` } });
  expect(payload.data.result.detections.length).toBeGreaterThan(0);
  expect(payload.data.result.annotated_image).toBeUndefined();
  const delivery = await deliveryOf(id, "completed", (d) => d.state === "delivered");
  expect(delivery).toMatchObject({ webhook_id: `msg_${id}_completed`, attempts: 1, last_status: 200 });
  const { body } = await getJson(svc.app, `/result/${id}`);
  expect(body.webhook).toMatchObject({ url: receiver.url("/plain"), events_filter: ["completed"] });
});

test("webhook_events_filter: start and completed send both; start alone sends only start", async () => {
  const both = await submit({}, `webhook=${encodeURIComponent(receiver.url("/both"))}&webhook_events_filter=start,completed`);
  const got = await receiver.waitFor("/both", 2);
  const types = got.map((r) => (verifier.verify(r.body, r.headers) as any).type).sort();
  expect(types).toEqual(["task.completed", "task.started"]);
  expect(new Set(got.map((r) => r.headers["webhook-id"]))).toEqual(new Set([`msg_${both}_start`, `msg_${both}_completed`]));

  const start = await submit({ webhook: receiver.url("/start"), webhook_events_filter: "start" });
  const [first] = await receiver.waitFor("/start", 1);
  expect((verifier.verify(first.body, first.headers) as any).type).toBe("task.started");
  await deliveryOf(start, "start", (d) => d.state === "delivered");
  await waitFor(async () => (await getJson(svc.app, `/result/${start}`)).body.status === "completed", 30_000, "completion");
  const { body } = await getJson(svc.app, `/result/${start}`);
  expect(body.webhook.deliveries.map((d: any) => d.event)).toEqual(["start"]);
  expect(receiver.of("/start")).toHaveLength(1);
});

test("a task canceled while pending sends completed, with the canceled task", async () => {
  // A large PNG (no shrink-on-load) keeps the one worker busy while the next task waits.
  const big = new Uint8Array(await sharp(dog).resize(3200, 2400).png({ compressionLevel: 1 }).toBuffer());
  const busy = await upload(svc.app, big);
  expect(busy.status).toBe(201);
  const id = await submit({ webhook: receiver.url("/canceled"), webhook_events_filter: "start,completed" });
  const res = await svc.app.handle(new Request(`http://localhost/result/${id}/cancel`, { method: "POST" }));
  expect(res.status).toBe(200);
  const [got] = await receiver.waitFor("/canceled", 1);
  const payload = verifier.verify(got.body, got.headers) as any;
  expect([payload.type, payload.data.status, payload.data.cancel_reason]).toEqual(["task.completed", "canceled", "client"]);
  // It never started, so there is no start event.
  expect((await deliveryOf(id, "completed", (d) => d.state === "delivered")).attempts).toBe(1);
  expect((await getJson(svc.app, `/result/${id}`)).body.webhook.deliveries.map((d: any) => d.event)).toEqual(["completed"]);
  // A task with a webhook is polled through find() (its deliveries are read): CORS comes with it too.
  const poll = await svc.app.handle(new Request(`http://localhost/result/${id}`, { headers: { origin: "https://anyone.example" } }));
  expect([poll.status, poll.headers.get("access-control-allow-origin"), ((await poll.json()) as any).webhook.deliveries.length]).toEqual([200, "*", 1]);
});

test("a receiver that answers 500 twice gets the event on the third attempt, same webhook-id, at the published delays", async () => {
  const id = await submit({ webhook: receiver.url("/flaky", [500, 500]) });
  const stamps: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const got = (await receiver.waitFor("/flaky", attempt))[attempt - 1];
    verifier.verify(got.body, got.headers);
    expect(got.headers["webhook-id"]).toBe(`msg_${id}_completed`);
    stamps.push(Number(got.headers["webhook-timestamp"]));
    if (attempt === 3) break;
    const pending = await deliveryOf(id, "completed", (d) => d.attempts === attempt && d.next_attempt_at !== undefined);
    expect(pending.last_status).toBe(500);
    expect(pending.state).toBe("pending");
    const delay = Math.round(RETRY_DELAYS_MS[attempt - 1] * STRETCH);
    expect(Date.parse(pending.next_attempt_at) - Date.parse(pending.last_attempt_at)).toBe(delay);
    // Just short of the delay: nothing is due yet (the queue is looked at every POLL_MS).
    clock.advance(delay - POLL_MS);
    await getJson(svc.app, `/result/${id}`);
    expect(receiver.of("/flaky")).toHaveLength(attempt);
    clock.advance(2 * POLL_MS);
  }
  // Each retry went out at the first poll after its delay: 5.25 s, then 31.5 s, later (whole seconds in the header).
  for (const [i, gap] of [stamps[1] - stamps[0], stamps[2] - stamps[1]].entries()) {
    const delay = (RETRY_DELAYS_MS[i] * STRETCH) / 1000;
    expect(gap).toBeGreaterThanOrEqual(Math.floor(delay));
    expect(gap).toBeLessThanOrEqual(Math.ceil(delay + POLL_MS / 1000) + 1);
  }
  // Every attempt sends the same bytes.
  expect(new Set(receiver.of("/flaky").map((r) => r.body)).size).toBe(1);
  expect(await deliveryOf(id, "completed", (d) => d.state === "delivered")).toMatchObject({ attempts: 3, last_status: 200 });
}, 30_000);

test("a dead receiver is retried on the whole schedule, then given up and recorded", async () => {
  const id = await submit({ webhook: receiver.url("/dead", Array(10).fill(503)) });
  for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length + 1; attempt++) {
    await receiver.waitFor("/dead", attempt);
    // Recorded: either due again later, or given up after the last attempt.
    const d = await deliveryOf(id, "completed", (x) => x.attempts === attempt && (x.state === "given_up" || x.next_attempt_at !== undefined));
    if (attempt <= RETRY_DELAYS_MS.length) clock.advance(RETRY_DELAYS_MS[attempt - 1] * STRETCH + POLL_MS);
    else expect(d).toMatchObject({ state: "given_up", attempts: RETRY_DELAYS_MS.length + 1, last_status: 503 });
  }
  expect(svc.logs.some((l) => l.msg === "webhook given up" && l.task_id === id && l.status === 503)).toBe(true);
}, 30_000);

test("without WEBHOOK_ALLOW_PRIVATE, loopback and non-http URLs are refused at upload with 422 webhook_url_forbidden", async () => {
  const port = new URL(receiver.url("/never")).port;
  for (const url of [`http://127.0.0.1:${port}/never`, `http://localhost:${port}/never`, `http://[::1]:${port}/never`, "file:///etc/passwd", "http://169.254.169.254/latest/meta-data"]) {
    const res = await upload(locked.app, dog, { fields: { webhook: url } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).code).toBe("webhook_url_forbidden");
  }
  expect(receiver.of("/never")).toHaveLength(0);
});

test.skipIf(onRedis)("embedded: a drain attempts the waiting events at once, whatever their schedule", async () => {
  const id = await submit({ webhook: receiver.url("/drain", [500]) });
  await receiver.waitFor("/drain", 1);
  await deliveryOf(id, "completed", (d) => d.attempts === 1 && d.next_attempt_at !== undefined);
  // The retry is 5 s away on the (stopped) fake clock: only the drain can send it.
  await svc.service.drain();
  expect(receiver.of("/drain")).toHaveLength(2);
  expect(await deliveryOf(id, "completed", (d) => d.state === "delivered")).toMatchObject({ attempts: 2, last_status: 200 });
}, 30_000);
