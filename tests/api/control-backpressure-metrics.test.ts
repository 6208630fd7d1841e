/**
 * Backpressure (queue_full, memory_full, held bytes) and the health probes and
 * metrics that report it. They share one service on purpose: /metrics is checked
 * for the queue_full rejections and finished tasks the backpressure tests leave.
 */
import { describe, expect, test } from "bun:test";
import { CONTROL_QUEUE_MAX, controlService } from "../support/control-service";
import { NOT_IMAGES } from "../support/crafted-files";
import { getJson, pollUntilDone, sendTo, taskIdOf as idOf, upload } from "../support/http";
import { readImage } from "../support/paths";
import { parsePrometheus } from "../support/prometheus";
import { onRedis, TEST_BACKEND } from "../support/backend";
import { FakeClock } from "../support/fake-clock";
import { startTestService, statusOf, type TestService } from "../support/test-service";

const QUEUE_MAX = CONTROL_QUEUE_MAX;
let svc: TestService;
let dog: Uint8Array;
controlService((s, d) => ((svc = s), (dog = d)));

const status = (id: string) => statusOf(svc, id);
const send = (method: string, path: string, headers: Record<string, string> = {}) => sendTo(svc.app, method, path, headers);
const settle = async (ids: string[]) => {
  for (const id of ids) await pollUntilDone(svc.app, id);
};

describe("backpressure", () => {
  // One client fills the queue but the newcomers' place (admission.ts); clients with nothing
  // waiting take that place, and past it everyone is told the queue is full.
  test(`over QUEUE_MAX (${QUEUE_MAX}): a lone client leaves the newcomers' place, the next client takes it, then 429 queue_full with a Retry-After; the accepted ones all finish`, async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, () => upload(svc.app, dog)));
    const codes = responses.map((r) => r.status);
    expect(codes.every((c) => c === 201 || c === 429)).toBe(true);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(12 - QUEUE_MAX - 1); // one may already be running
    expect(((await refused[0].json()) as any).code).toBe("client_queue_full");
    const accepted = await Promise.all(responses.filter((r) => r.status === 201).map(idOf));
    // Newcomers, each a client of its own (X-Forwarded-For, TRUST_PROXY_HOPS=1): the first takes the place kept for them.
    const newcomer = (i: number) => upload(svc.app, dog, { headers: { "x-forwarded-for": `203.0.113.${i}` } });
    const first = await newcomer(1);
    expect(first.status).toBe(201);
    accepted.push(await idOf(first));
    let full: Response | undefined;
    for (let i = 2; i < 12 && !full; i++) {
      const res = await newcomer(i);
      if (res.status === 201) accepted.push(await idOf(res));
      else full = res;
    }
    expect(full!.status).toBe(429);
    expect(((await full!.json()) as any).code).toBe("queue_full");
    expect(full!.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(full!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
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
      // The refusal is in the log, not only in /metrics (refusal-log.ts: a flood is summarised).
      expect(small.logs.filter((l) => l.msg === "upload refused").map((l) => [l.code, l.status])).toEqual([["memory_full", 429]]);
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
    expect(samples.get('yolo_phase_seconds_count{phase="inference",model="yolov8n"}')).toBeGreaterThan(0);
    expect(samples.get('yolo_model_loaded{model="yolov8n"}')).toBe(1);
    expect(samples.get('yolo_phase_seconds_bucket{le="+Inf",phase="inference"}')).toBe(samples.get('yolo_phase_seconds_count{phase="inference"}'));
    expect(samples.get("yolo_worker_restarts_total")).toBe(0);
    if (!onRedis) expect(samples.get("yolo_held_bytes")).toBeGreaterThan(0);
    expect(samples.get("yolo_process_rss_bytes")).toBeGreaterThan(10_000_000);
    expect(samples.get('yolo_workers{state="ready"}')! + samples.get('yolo_workers{state="busy"}')!).toBe(1);
  });
});
