import { afterAll, beforeAll, expect, test } from "bun:test";
import { API_COMMAND_TIMEOUT_MS } from "../../src/backend/redis/connect";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

// Issue 28: on a busy machine an API replica answered uploads 503
// backend_unavailable. A process starved of CPU past API_COMMAND_TIMEOUT_MS
// has its command's reply waiting unread in the socket, and ioredis's timer
// fires first: the command "timed out" on a Redis that had answered, and the
// replica marked the whole cluster down until its next refresh.
let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix("starved"), WORKERS: "1" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc?.stop());

/** This process gets no turn of its event loop for `ms`: no timer, no socket read, as when the machine is busy. */
function starve(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

test("a replica starved past a command's timeout while Redis answers stays up: the upload right after is taken", async () => {
  const backend = svc.service.backend;
  // Whether the reply or the timer is handled first after the stall varies by turn: stall until a command times out.
  let timedOut = false;
  for (let i = 0; i < 6 && !timedOut; i++) {
    // admit's one command (LLEN of the client's lane) is sent before admit returns.
    const read = backend.admit(1000, "ip:127.0.0.1").then(
      () => undefined,
      (err: { code?: string }) => err.code,
    );
    starve(API_COMMAND_TIMEOUT_MS + 300);
    timedOut = (await read) === "backend_unavailable";
  }
  expect(timedOut).toBe(true);
  // Redis had answered: the replica is still serving, at once, not after its next refresh.
  expect(backend.notReadyReason()).toBeUndefined();
  const res = await upload(svc.app, dog);
  expect(res.status).toBe(201);
}, 60_000);
