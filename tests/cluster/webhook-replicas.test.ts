import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { Webhook } from "standardwebhooks";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { DELIVERY_LEASE_MS } from "../../src/backend/redis/redis-deliveries";
import { POLL_MS } from "../../src/webhook/dispatcher";
import { FakeClock } from "../support/fake-clock";
import { getJson, upload } from "../support/http";
import { readImage, scriptEntry } from "../support/paths";
import { startTestService, type TestService, waitFor } from "../support/test-service";
import { loopbackOnly, TEST_WEBHOOK_SECRET, WebhookReceiver } from "../support/webhook-receiver";

// Webhooks and idempotency keys across replicas on one Redis. A replica that
// dies holding a delivery loses nothing: its lease lapses and another
// replica makes the attempt, under the same webhook-id.
const PREFIX = uniquePrefix("hooks");
const shared = { QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: PREFIX, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, WEBHOOK_ALLOW_PRIVATE: "true" };
let receiver: WebhookReceiver;
let dog: Uint8Array;
const services: TestService[] = [];
let child: Subprocess | undefined;

beforeAll(async () => {
  receiver = new WebhookReceiver();
  dog = await readImage("dog.jpg");
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await Promise.all(services.map((s) => s.stop()));
  receiver?.stop();
});

test("one Idempotency-Key sent to two replicas at once makes one task, and either replica replays it", async () => {
  const [a, b] = await Promise.all([startTestService({ ...shared, WORKERS: "1" }, { resolve: loopbackOnly }), startTestService({ ...shared, WORKERS: "0" }, { resolve: loopbackOnly })]);
  services.push(a, b);
  const headers = { "idempotency-key": "across-replicas", "x-forwarded-for": "203.0.113.9" };
  const answers = await Promise.all([upload(a.app, dog, { headers }), upload(b.app, dog, { headers })]);
  const bodies = (await Promise.all(answers.map((r) => r.json()))) as any[];
  const created = bodies.filter((_, i) => answers[i].status === 201);
  // Both answered 201 with one task (the second replayed it), or one was told the first was still in progress.
  expect(new Set(created.map((body) => body.task_id)).size).toBe(1);
  for (const [i, res] of answers.entries()) if (res.status !== 201) expect([res.status, bodies[i].code]).toEqual([409, "idempotency_in_progress"]);
  const replay = await upload(b.app, dog, { headers });
  expect([replay.status, ((await replay.json()) as any).task_id, replay.headers.get("idempotent-replayed")]).toEqual([201, created[0].task_id, "true"]);
}, 60_000);

test("a replica killed in the middle of an attempt: another replica delivers the event, same webhook-id", async () => {
  const port = freePort();
  const prefix = uniquePrefix("hooks-kill");
  const base = `http://127.0.0.1:${port}`;
  // A real replica process, so it can be SIGKILLed; it runs inference too.
  child = Bun.spawn(["bun", await scriptEntry("start")], {
    env: { ...process.env, ...shared, PORT: String(port), WORKERS: "1", LOG_LEVEL: "warn", REDIS_PREFIX: prefix },
    stdin: "ignore", stdout: "ignore", stderr: "ignore",
  });
  await waitUntilReady(`${base}/health/ready`, child as Subprocess<"ignore", "pipe", "pipe">, 60_000);
  // The first attempt is held unanswered, so the replica dies owning it.
  const url = receiver.url("/takeover", ["hang"]);
  const form = new FormData();
  form.append("file", new File([dog as Uint8Array<ArrayBuffer>], "dog.jpg"));
  form.append("webhook", url);
  const res = await fetch(`${base}/predict`, { method: "POST", body: form });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as any).task_id as string;
  const [first] = await receiver.waitFor("/takeover", 1, 30_000);
  child.kill("SIGKILL");
  await child.exited;
  // Another replica on the same queue; no inference needed, the task is finished. Its clock, which
  // its dispatcher claims by, is moved past the dead replica's lease rather than waiting the lease out.
  const clock = new FakeClock(Date.now());
  const other = await startTestService({ ...shared, WORKERS: "0", REDIS_PREFIX: prefix }, { waitReady: false, resolve: loopbackOnly, clock });
  services.push(other);
  clock.advance(DELIVERY_LEASE_MS);
  // One poll at a time, each given the time to claim and send, until the event is delivered again.
  const ticking = setInterval(() => clock.advance(POLL_MS), 50);
  const got = await receiver.waitFor("/takeover", 2, 40_000).finally(() => clearInterval(ticking));
  expect(got[1].headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  expect(got[1].headers["webhook-id"]).toBe(`msg_${id}_completed`);
  expect(got[1].body).toBe(first.body);
  new Webhook(TEST_WEBHOOK_SECRET).verify(got[1].body, got[1].headers);
  await waitFor(async () => (await getJson(other.app, `/result/${id}`)).body.webhook?.deliveries[0]?.state === "delivered", 10_000, "the delivery recorded");
  expect((await getJson(other.app, `/result/${id}`)).body.webhook.deliveries[0]).toMatchObject({ attempts: 2, last_status: 200 });
}, 120_000);
