import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { getJson, pollUntilDone, taskIdOf as idOf, upload } from "../support/http";
import { readImage } from "../support/paths";
import { readSse } from "../support/sse";
import { startTestService, type TestService, waitFor } from "../support/test-service";

// Two API replicas with no inference of their own, and one inference
// replica, on one Redis: whichever replica a client reaches, it sees the
// same tasks, the same queue and the same limits.
const QUEUE_MAX = 5;
const PREFIX = uniquePrefix("replicas");
let a: TestService;
let b: TestService;
let inference: TestService;
let dog: Uint8Array;
let bigPng: Uint8Array;

beforeAll(async () => {
  const shared = { QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: PREFIX, QUEUE_MAX: String(QUEUE_MAX), CLIENT_QUEUE_MAX: "1000", TRUST_PROXY_HOPS: "1" };
  inference = await startTestService({ ...shared, WORKERS: "1" });
  [a, b] = await Promise.all([startTestService({ ...shared, WORKERS: "0" }), startTestService({ ...shared, WORKERS: "0" })]);
  dog = await readImage("dog.jpg");
  bigPng = new Uint8Array(await sharp(dog).resize(3200, 2400).png({ compressionLevel: 1 }).toBuffer());
});
afterAll(async () => {
  await Promise.all([a, b, inference].map((s) => s?.stop()));
});

const send = (svc: TestService, method: string, path: string, headers: Record<string, string> = {}) =>
  svc.app.handle(new Request(`http://localhost${path}`, { method, headers }));

test("an API replica with no workers is ready once an inference process is, and says so in /health", async () => {
  const health = (await getJson(a.app, "/health")).body;
  expect(health).toMatchObject({ status: "ok", backend: { kind: "redis", connection: "up" }, workers: [], model: { name: "yolov8n", classes: 80 }, models: [{ name: "yolov8n", default: true, loaded: true }] });
  await waitFor(async () => (await getJson(a.app, "/health")).body.backend.inference_processes === 1, 5000, "the inference heartbeat");
  expect(structuredClone((await getJson(b.app, "/health")).body.backend.inference_workers)).toMatchObject({ total: 1, warm: 1 });
});

test("a task uploaded to one replica is polled, streamed and fetched as an image from the other", async () => {
  const id = await idOf(await upload(a.app, dog));
  const events = await readSse(await send(b, "GET", `/result/${id}/events`));
  expect(events.at(-1)!.event).toBe("completed");
  const done = await pollUntilDone(b.app, id);
  expect(done.result.detections.map((d: any) => d.class).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
  // finished tasks expire in Redis after TASK_TTL_S (default 300 s), record and image alike; nothing open does
  const Redis = (await import("ioredis")).default;
  const admin = new Redis(testRedisUrl());
  for (const key of [`${PREFIX}:task:${id}`, `${PREFIX}:task:${id}:image`]) {
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  }
  admin.disconnect();
  const image = await send(a, "GET", `/result/${id}/image`);
  expect([image.status, image.headers.get("content-type")]).toEqual([200, "image/jpeg"]);
  expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
});

test("Prefer: wait on one replica hears the completion made by the inference replica", async () => {
  const res = await upload(b.app, dog, { headers: { prefer: "wait=30" } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as any).status).toBe("completed");
});

test("the queue limit is shared: uploads spread over both replicas stop at QUEUE_MAX waiting", async () => {
  // Each upload a client of its own (X-Forwarded-For): a client alone leaves the last place to newcomers (admission.ts).
  const responses = await Promise.all(Array.from({ length: 14 }, (_, i) => upload(i % 2 ? a.app : b.app, dog, { headers: { "x-forwarded-for": `203.0.113.${i + 1}` } })));
  const accepted = responses.filter((r) => r.status === 201);
  const refused = responses.filter((r) => r.status === 429);
  expect(accepted.length + refused.length).toBe(14);
  // QUEUE_MAX waiting, plus the few the single worker took meanwhile
  expect(accepted.length).toBeGreaterThanOrEqual(QUEUE_MAX);
  expect(accepted.length).toBeLessThanOrEqual(QUEUE_MAX + 5);
  expect(((await refused[0].json()) as any).code).toBe("queue_full");
  const ids = await Promise.all(accepted.map(idOf));
  for (const id of ids) expect((await pollUntilDone(a.app, id)).status).toBe("completed");
});

test("cancel on one replica: a pending task leaves the shared queue; a running one is canceled and its result discarded", async () => {
  // a large PNG keeps the worker busy long enough for the cancel to find it running
  const first = await idOf(await upload(a.app, bigPng, { filename: "big.png", type: "image/png" }));
  const second = await idOf(await upload(a.app, dog));
  const third = await idOf(await upload(b.app, dog));
  await waitFor(async () => (await getJson(b.app, `/result/${first}`)).body.status === "processing", 10_000, "first running");
  expect((await getJson(a.app, `/result/${third}`)).body.queue_position).toBe(2);
  const canceled = await send(b, "POST", `/result/${second}/cancel`);
  expect(canceled.status).toBe(200);
  expect((await getJson(a.app, `/result/${third}`)).body.queue_position).toBe(1);
  expect((await send(a, "DELETE", `/result/${first}`)).status).toBe(200);
  await pollUntilDone(b.app, third);
  const after = (await getJson(a.app, `/result/${first}`)).body;
  expect([after.status, after.result]).toEqual(["canceled", undefined]);
  // the inference replica heard the cancel and never wrote a result for it
  expect(inference.logs.filter((l) => l.task_id === first).map((l) => l.status)).toEqual(["processing"]);
  // the canceled pending task never reached a worker
  expect(inference.logs.some((l) => l.task_id === second && l.status === "processing")).toBe(false);
  const again = await send(a, "POST", `/result/${third}/cancel`);
  expect([again.status, ((await again.json()) as any).code]).toEqual([409, "task_finished"]);
});

test("metrics on an API replica show the shared queue and the cluster's transitions", async () => {
  const text = await (await send(a, "GET", "/metrics")).text();
  expect(text).toContain('yolo_backend_up{backend="redis"} 1');
  expect(text).toMatch(/^yolo_inference_processes 1$/m);
  expect(text).toMatch(/^yolo_inference_workers\{state="warm"\} 1$/m);
  expect(text).toMatch(/^yolo_queue_depth 0$/m);
  // completions happened in another replica, and are counted here
  const completed = Number(text.match(/^yolo_tasks_finished_total\{status="completed"\} (\d+)$/m)?.[1]);
  expect(completed).toBeGreaterThanOrEqual(QUEUE_MAX + 3);
});

test("a Redis that lost its data learns the model again from the heartbeats: a new API replica gets ready", async () => {
  const Redis = (await import("ioredis")).default;
  const admin = new Redis(testRedisUrl());
  await admin.del(`${PREFIX}:models`);
  admin.disconnect();
  const late = await startTestService({ QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: PREFIX, WORKERS: "0" }, { waitReady: false });
  try {
    await waitFor(async () => (await getJson(late.app, "/health/ready")).res.status === 200, 10_000, "the late replica to be ready");
  } finally {
    await late.stop();
  }
});

test("a replica that drains answers its Prefer: wait requests at once (201 and the id) and cancels nothing", async () => {
  const leaving = await startTestService({ QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: PREFIX, WORKERS: "0" });
  const ahead = await Promise.all([1, 2, 3, 4, 5].map(async (i) => idOf(await upload(a.app, dog, { headers: { "x-forwarded-for": `203.0.113.${50 + i}` } }))));
  const waiting = upload(leaving.app, dog, { headers: { prefer: "wait=60" } });
  await waitFor(() => leaving.logs.some((l) => l.status === "pending"), 10_000, "the upload to be accepted");
  await leaving.service.drain();
  const res = await waiting;
  // Answered with the task as it was, still open: a wait that had run on would end with the task done (200).
  expect(res.status).toBe(201);
  const answered = (await res.json()) as any;
  expect(["pending", "processing"]).toContain(answered.status);
  const id = answered.task_id as string;
  // the task is the cluster's: another replica sees it through
  for (const t of [...ahead, id]) expect((await pollUntilDone(b.app, t)).status).toBe("completed");
}, 60_000);
