import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NOT_IMAGES } from "../support/crafted-files";
import { getJson, pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { parsePrometheus } from "../support/prometheus";
import { readSse } from "../support/sse";
import { onRedis, TEST_BACKEND } from "../support/backend";
import { FakeClock } from "../support/fake-clock";
import { startTestService, statusOf, type TestService, waitFor } from "../support/test-service";

const QUEUE_MAX = 4;
let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  // One worker and a short queue, so the queue is easy to fill.
  // One client here (in-process requests have no address): its own cap must not be what refuses first.
  svc = await startTestService({ WORKERS: "1", QUEUE_MAX: String(QUEUE_MAX), CLIENT_QUEUE_MAX: "1000" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

const idOf = async (res: Response) => ((await res.json()) as any).task_id as string;
const status = (id: string) => statusOf(svc, id);
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  svc.app.handle(new Request(`http://localhost${path}`, { method, headers }));
const settle = async (ids: string[]) => {
  for (const id of ids) await pollUntilDone(svc.app, id);
};

describe("backpressure", () => {
  test(`over QUEUE_MAX (${QUEUE_MAX}) uploads get 429 queue_full with a Retry-After; the accepted ones all finish`, async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => upload(svc.app, dog)));
    const codes = responses.map((r) => r.status);
    expect(codes.every((c) => c === 201 || c === 429)).toBe(true);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(12 - QUEUE_MAX - 1); // one may already be running
    const body = (await refused[0].json()) as any;
    expect(body.code).toBe("queue_full");
    expect(refused[0].headers.get("content-type")).toContain("application/problem+json");
    expect(Number(refused[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const accepted = await Promise.all(responses.filter((r) => r.status === 201).map(idOf));
    await settle(accepted);
    expect(await Promise.all(accepted.map(status))).toEqual(accepted.map(() => "completed"));
  });

  test("over MAX_STORE_BYTES uploads get 429 memory_full", async () => {
    const small = await startTestService({ WORKERS: "1", MAX_STORE_BYTES: String(1024 * 1024) });
    try {
      const res = await upload(small.app, await readImage("kite.jpg")); // 1.4 MB > 1 MiB
      expect(res.status).toBe(429);
      expect(((await res.json()) as any).code).toBe("memory_full");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // a small one still fits
      expect((await upload(small.app, dog)).status).toBe(201);
    } finally {
      small.stop();
    }
  });

  test.skipIf(onRedis)("held bytes are accounted: only the JPEG once done, nothing after GC", async () => {
    const clock = new FakeClock();
    const gc = await startTestService({ WORKERS: "1", TASK_TTL_S: "1", GC_INTERVAL_S: "1" }, { clock });
    try {
      const held = async () => (await getJson(gc.app, "/health")).body.held_bytes as number;
      const before = await held();
      const id = await idOf(await upload(gc.app, dog));
      await pollUntilDone(gc.app, id);
      const jpeg = (await (await gc.app.handle(new Request(`http://localhost/result/${id}/image`))).arrayBuffer()).byteLength;
      // the upload is gone, the annotated JPEG and a small record stay
      const kept = (await held()) - before;
      expect(kept).toBeGreaterThan(jpeg);
      expect(kept).toBeLessThan(jpeg + 4096);
      clock.advance(1000); // past TASK_TTL_S, at a GC tick
      expect(await held()).toBe(before);
      expect((await getJson(gc.app, `/result/${id}`)).res.status).toBe(404);
    } finally {
      await gc.stop();
    }
  });

  test.if(onRedis)("held bytes on Redis count the uploads not yet finished, and fall back when they finish", async () => {
    const held = async () => (await getJson(svc.app, "/health")).body.held_bytes as number;
    const before = await held();
    const ids = await Promise.all([1, 2, 3].map(async () => idOf(await upload(svc.app, dog))));
    expect(await held()).toBeGreaterThanOrEqual(before + dog.byteLength); // at least two still wait or run
    await settle(ids);
    expect(await held()).toBe(before);
  });
});

describe("cancel", () => {
  test("pending: leaves the queue at once; processing: canceled, its result discarded; finished: 409", async () => {
    const first = await idOf(await upload(svc.app, dog));
    const second = await idOf(await upload(svc.app, dog));
    const third = await idOf(await upload(svc.app, dog));
    await waitFor(async () => (await status(first)) === "processing", 10_000, "first running");
    expect((await getJson(svc.app, `/result/${third}`)).body.queue_position).toBe(2);

    const canceled = await send("POST", `/result/${second}/cancel`);
    expect(canceled.status).toBe(200);
    expect(((await canceled.json()) as any)).toMatchObject({ status: "canceled", cancel_reason: "client" });
    expect((await getJson(svc.app, `/result/${third}`)).body.queue_position).toBe(1);

    const running = await send("DELETE", `/result/${first}`);
    expect(running.status).toBe(200);
    expect(((await running.json()) as any).status).toBe("canceled");

    await pollUntilDone(svc.app, third);
    // the first task's worker finished meanwhile; its answer was discarded
    const after = (await getJson(svc.app, `/result/${first}`)).body;
    expect(after.status).toBe("canceled");
    expect(after.result).toBeUndefined();

    const again = await send("POST", `/result/${third}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).code).toBe("task_finished");
    expect((await send("DELETE", "/result/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const lines = svc.logs.filter((l) => l.task_id === second).map((l) => l.status);
    expect(lines).toEqual(["pending", "canceled"]);
  });
});

describe("Prefer: wait", () => {
  test("answers 200 with the finished task when it finishes in time", async () => {
    const res = await upload(svc.app, dog, { headers: { prefer: "wait=30" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("preference-applied")).toBe("wait=30");
    const body = (await res.json()) as any;
    expect(body.status).toBe("completed");
    expect(body.result.detections.length).toBe(3);
  });

  test("answers the usual 201 when it does not finish in time", async () => {
    const queued = await Promise.all([1, 2, 3].map(() => upload(svc.app, dog)));
    const res = await upload(svc.app, dog, { headers: { prefer: "respond-async, wait=0" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("preference-applied")).toBe("wait=0");
    expect(((await res.json()) as any).status).toBe("pending");
    await settle([...(await Promise.all(queued.map(idOf)))]);
  });
});

describe("GET /result/{id}/events", () => {
  test("streams queue positions, then processing, then the terminal event, and ends", async () => {
    const ahead = await Promise.all([1, 2].map(async () => idOf(await upload(svc.app, dog))));
    const id = await idOf(await upload(svc.app, dog));
    const res = await send("GET", `/result/${id}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res); // resolves only when the stream ends
    const names = events.map((e) => e.event);
    expect(names.at(-1)).toBe("completed");
    expect(names).toContain("processing");
    const positions = events.filter((e) => e.event === "pending").map((e) => e.data.queue_position);
    expect(positions.length).toBeGreaterThanOrEqual(2);
    expect(positions).toEqual([...positions].sort((a, b) => b - a)); // only ever moves up
    expect(events.at(-1)!.data.result.detections.length).toBe(3);
    expect(events.at(-1)!.data.result.annotated_image).toBeUndefined();
    await settle(ahead);
  });

  test("a finished task gives its terminal event at once; an unknown one is a 404 problem", async () => {
    const id = await idOf(await upload(svc.app, dog));
    await pollUntilDone(svc.app, id);
    const events = await readSse(await send("GET", `/result/${id}/events`));
    expect(events.map((e) => e.event)).toEqual(["completed"]);
    const missing = await send("GET", "/result/00000000-0000-4000-8000-000000000000/events");
    expect(missing.status).toBe(404);
  });
});

describe("health probes and metrics", () => {
  test("live and ready", async () => {
    expect((await getJson(svc.app, "/health/live")).body).toEqual({ status: "live" });
    const ready = await getJson(svc.app, "/health/ready");
    expect([ready.res.status, ready.body.status]).toEqual([200, "ready"]);
    const detail = (await getJson(svc.app, "/health")).body;
    expect(detail.queue_max).toBe(QUEUE_MAX);
    // The same shape on both backends; heartbeats are up to a second old, so busy may still show the last task.
    expect(structuredClone(detail.backend)).toMatchObject({ kind: TEST_BACKEND, connection: "up", inference_processes: 1, inference_workers: { total: 1, warm: 1 } });
    // Redis lets finished tasks expire on its own and counts only the open ones.
    expect(detail.tasks).toMatchObject({ pending: 0, processing: 0 });
  });

  test("/metrics is valid Prometheus text with the service's figures", async () => {
    await upload(svc.app, NOT_IMAGES.pdf); // one rejection to count
    const res = await send("GET", "/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const samples = parsePrometheus(await res.text());
    expect(samples.get("yolo_queue_depth")).toBe(0);
    expect(samples.get(`yolo_backend_up{backend="${onRedis ? "redis" : "embedded"}"}`)).toBe(1);
    expect(samples.get("yolo_inference_processes")).toBe(1);
    expect(samples.get('yolo_tasks_finished_total{status="completed"}')).toBeGreaterThan(0);
    if (!onRedis) expect(samples.get('yolo_tasks{status="completed"}')).toBeGreaterThan(0);
    expect(samples.get('yolo_rejections_total{reason="unsupported_media_type"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('yolo_rejections_total{reason="queue_full"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get("yolo_queue_wait_seconds_count")).toBeGreaterThan(0);
    expect(samples.get('yolo_phase_seconds_count{phase="inference"}')).toBeGreaterThan(0);
    expect(samples.get('yolo_phase_seconds_bucket{le="+Inf",phase="inference"}')).toBe(samples.get('yolo_phase_seconds_count{phase="inference"}'));
    expect(samples.get("yolo_worker_restarts_total")).toBe(0);
    if (!onRedis) expect(samples.get("yolo_held_bytes")).toBeGreaterThan(0);
    expect(samples.get("yolo_process_rss_bytes")).toBeGreaterThan(10_000_000);
    expect(samples.get('yolo_workers{state="ready"}')! + samples.get('yolo_workers{state="busy"}')!).toBe(1);
  });
});

describe("API key and CORS", () => {
  test("with API_KEY, uploads and cancels need it; results stay readable by id", async () => {
    const locked = await startTestService({ WORKERS: "1", API_KEY: "s3cret-key" });
    try {
      const denied = await upload(locked.app, dog);
      expect(denied.status).toBe(401);
      expect(denied.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await denied.json()) as any).code).toBe("unauthorized");
      expect((await upload(locked.app, dog, { headers: { authorization: "Bearer wrong-key!" } })).status).toBe(401);
      const viaBearer = await upload(locked.app, dog, { headers: { authorization: "Bearer s3cret-key" } });
      expect(viaBearer.status).toBe(201);
      const id = await idOf(viaBearer);
      expect((await upload(locked.app, dog, { headers: { "x-api-key": "s3cret-key" } })).status).toBe(201);
      expect((await getJson(locked.app, `/result/${id}`)).res.status).toBe(200);
      const cancel = await locked.app.handle(new Request(`http://localhost/result/${id}/cancel`, { method: "POST" }));
      expect(cancel.status).toBe(401);

      // On a real socket: a huge body sent to a cancel route is answered at once, not buffered.
      const server = locked.app.listen({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: Number.MAX_SAFE_INTEGER });
      try {
        let sent = 0;
        const endless = new ReadableStream({
          async pull(c) {
            if (sent >= 500e6) return c.close();
            sent += 1e6;
            c.enqueue(new Uint8Array(1e6));
            await Bun.sleep(1);
          },
        });
        const res = await fetch(`http://127.0.0.1:${server.server!.port}/result/${id}/cancel`, { method: "POST", body: endless });
        expect(res.status).toBe(401);
        expect(sent).toBeLessThan(50e6);
      } finally {
        server.stop(true);
      }
    } finally {
      locked.stop();
    }
  });

  test("with API_KEYS, each key's name is its client: in the log, and for cancels, which need a key too", async () => {
    const keyed = await startTestService({ WORKERS: "1", API_KEYS: "alice:k-alice,bob:k-bob", API_KEY: "k-old" });
    try {
      const res = await upload(keyed.app, dog, { headers: { authorization: "Bearer k-alice" } });
      expect(res.status).toBe(201);
      const id = await idOf(res);
      expect(keyed.logs.find((l) => l.task_id === id && l.status === "pending")?.client).toBe("key:alice");
      expect((await upload(keyed.app, dog, { headers: { "x-api-key": "k-old" } })).status).toBe(201); // API_KEY still works, as "default"
      expect((await upload(keyed.app, dog, { headers: { "x-api-key": "k-carol" } })).status).toBe(401);
      const cancel = (key?: string) =>
        keyed.app.handle(new Request(`http://localhost/result/${id}/cancel`, { method: "POST", headers: key ? { "x-api-key": key } : {} }));
      expect((await cancel()).status).toBe(401);
      expect((await cancel("k-bob")).status).toBe(200);
    } finally {
      await keyed.stop();
    }
  });

  test("CORS: a plain * without credentials by default; only listed origins, with Vary: Origin, when CORS_ORIGINS is set", async () => {
    const preflight = (app: TestService["app"], origin: string, requested?: string) =>
      app.handle(
        new Request("http://localhost/predict", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", ...(requested ? { "access-control-request-headers": requested } : {}) },
        }),
      );
    const corsHeaders = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith("access-control") || k === "vary"));
    const open = await preflight(svc.app, "https://anyone.example");
    expect(open.status).toBe(204);
    expect(corsHeaders(open)).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": "Authorization, X-API-Key, Content-Type, Prefer, Last-Event-ID, Idempotency-Key",
      "access-control-expose-headers": "Location, Retry-After, Preference-Applied, Idempotent-Replayed",
      "access-control-max-age": "600",
    });
    expect(corsHeaders(await preflight(svc.app, "https://anyone.example", "x-api-key, prefer"))["access-control-allow-headers"]).toBe("x-api-key, prefer");
    // a simple request, and an error answer, carry it too; never credentials, never Vary: *
    for (const path of ["/health/live", "/result/no-such-task"]) {
      const res = await svc.app.handle(new Request(`http://localhost${path}`, { headers: { origin: "https://anyone.example" } }));
      expect([path, res.headers.get("access-control-allow-origin"), res.headers.get("access-control-allow-credentials"), res.headers.get("vary")]).toEqual([path, "*", null, null]);
    }
    for (const value of Object.values(corsHeaders(open))) expect(value).not.toContain("undefined");
    const strict = await startTestService({ WORKERS: "1", CORS_ORIGINS: "https://app.example" }, { waitReady: false });
    try {
      const listed = await preflight(strict.app, "https://app.example");
      expect([listed.headers.get("access-control-allow-origin"), listed.headers.get("vary"), listed.headers.get("access-control-allow-credentials")]).toEqual(["https://app.example", "Origin", null]);
      const other = await preflight(strict.app, "https://evil.example");
      expect([other.headers.get("access-control-allow-origin"), other.headers.get("access-control-allow-methods"), other.headers.get("vary")]).toEqual([null, null, "Origin"]);
      const plain = await strict.app.handle(new Request("http://localhost/health/live", { headers: { origin: "https://app.example" } }));
      expect([plain.headers.get("access-control-allow-origin"), plain.headers.get("vary")]).toEqual(["https://app.example", "Origin"]);
    } finally {
      strict.stop();
    }
  });
});
