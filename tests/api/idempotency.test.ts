import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

// Idempotency-Key on POST /predict, on whichever backend TEST_BACKEND names
// (on Redis the reservation is one script, atomic across replicas).
let svc: TestService;
let dog: Uint8Array;
let other: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1", API_KEYS: "alice:k-alice,bob:k-bob" });
  dog = await readImage("dog.jpg");
  other = new Uint8Array(await sharp(dog).resize(320, 240).jpeg().toBuffer());
});
afterAll(() => svc?.stop());

const as = (who: "alice" | "bob", key: string, extra: Record<string, string> = {}) => ({ "x-api-key": `k-${who}`, "idempotency-key": key, ...extra });
const send = async (bytes: Uint8Array, headers: Record<string, string>, fields: Record<string, string> = {}) => {
  const res = await upload(svc.app, bytes, { headers, fields });
  return { res, body: (await res.json()) as any };
};
const unique = (label: string) => `${label}-${crypto.randomUUID()}`;

test("the same key and request answer the first task again, 201 as first answered, with Idempotent-Replayed", async () => {
  const key = unique("retry");
  const first = await send(dog, as("alice", key), { conf: "0.4" });
  expect(first.res.status).toBe(201);
  expect(first.res.headers.get("idempotent-replayed")).toBe("false");
  const again = await send(dog, as("alice", key), { conf: "0.4" });
  expect(again.res.status).toBe(201);
  expect(again.res.headers.get("idempotent-replayed")).toBe("true");
  expect(again.body.task_id).toBe(first.body.task_id);
  expect(again.res.headers.get("location")).toBe(`/result/${first.body.task_id}`);
});

test("a first answer of 200 after Prefer: wait is replayed as 200, with the finished task", async () => {
  const key = unique("wait");
  const first = await send(dog, as("alice", key, { prefer: "wait=30" }));
  expect([first.res.status, first.body.status]).toEqual([200, "completed"]);
  const again = await send(dog, as("alice", key, { prefer: "wait=30" }));
  expect([again.res.status, again.body.task_id, again.body.status]).toEqual([200, first.body.task_id, "completed"]);
  expect(again.res.headers.get("idempotent-replayed")).toBe("true");
});

test("the same key with another image or other knobs is 422 idempotency_key_reused", async () => {
  const key = unique("reuse");
  expect((await send(dog, as("alice", key), { conf: "0.4" })).res.status).toBe(201);
  for (const [bytes, fields] of [[dog, { conf: "0.5" }], [other, { conf: "0.4" }], [dog, { conf: "0.4", webhook_events_filter: "start" }]] as const) {
    const { res, body } = await send(bytes, as("alice", key), fields);
    expect([res.status, body.code]).toEqual([422, "idempotency_key_reused"]);
  }
});

test("keys are scoped per client: another client's same key makes its own task", async () => {
  const key = unique("scoped");
  const a = await send(dog, as("alice", key));
  const b = await send(dog, as("bob", key));
  expect([a.res.status, b.res.status]).toEqual([201, 201]);
  expect(b.body.task_id).not.toBe(a.body.task_id);
  expect(b.res.headers.get("idempotent-replayed")).toBe("false");
});

test("two concurrent requests with one key make one task: the second is 409 idempotency_in_progress", async () => {
  const key = unique("race");
  const [a, b] = await Promise.all([send(dog, as("alice", key, { prefer: "wait=30" })), send(dog, as("alice", key, { prefer: "wait=30" }))]);
  const statuses = [a.res.status, b.res.status].sort();
  expect(statuses).toEqual([200, 409]);
  const refused = a.res.status === 409 ? a : b;
  expect(refused.body.code).toBe("idempotency_in_progress");
  expect(refused.res.headers.get("retry-after")).toBe("1");
  // Once answered, the key replays the one task.
  const winner = a.res.status === 200 ? a : b;
  const later = await send(dog, as("alice", key, { prefer: "wait=30" }));
  expect([later.res.status, later.body.task_id]).toEqual([200, winner.body.task_id]);
});

test("a request refused before its task existed frees the key; an over-long key is 422", async () => {
  const key = unique("refused");
  const bad = await send(new TextEncoder().encode("not an image"), as("alice", key));
  expect(bad.res.status).toBe(415);
  const good = await send(dog, as("alice", key));
  expect([good.res.status, good.res.headers.get("idempotent-replayed")]).toEqual([201, "false"]);
  const long = await send(dog, as("alice", "k".repeat(256)));
  expect([long.res.status, long.body.code]).toEqual([422, "validation_failed"]);
});
