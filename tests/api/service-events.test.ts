import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { detect, upload } from "../support/http";
import { readImage } from "../support/paths";
import { type SseEvent, streamSse } from "../support/sse";
import { onRedis } from "../support/backend";
import { startTestService, type TestService } from "../support/test-service";

/** GET /events: the service's counts, for the demo page's live panel. */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1", EVENTS_MAX_SUBSCRIBERS: "2" });
});
afterAll(() => svc.stop());

const open = (accept = "text/event-stream") => svc.app.handle(new Request("http://localhost/events", { headers: { accept } }));

/** Reads stats events from an open stream until one satisfies `until`; the ones read, in order. */
async function readUntil(res: Response, until: (data: any) => boolean, timeoutMs = 30_000): Promise<any[]> {
  const seen: any[] = [];
  const timer = setTimeout(() => res.body?.cancel().catch(() => {}), timeoutMs);
  try {
    for await (const e of streamSse(res) as AsyncGenerator<SseEvent>) {
      expect(e.event).toBe("stats");
      seen.push(e.data);
      if (until(e.data)) return seen;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`the stream ended without the awaited stats; last: ${JSON.stringify(seen.at(-1))}`);
}

describe("GET /events", () => {
  // First in this file, before any stream opens: completions count whether or not anyone listens.
  test("a JSON reading counts the completions of the last minute though nobody was listening", async () => {
    await detect(svc.app, await readImage("dog.jpg"));
    // The second a task completed in enters the series once it is over.
    await Bun.sleep(1100);
    const stats = (await (await open("application/json")).json()) as any;
    expect(stats.throughput.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(stats.images_per_second).toBeGreaterThan(0);
  });

  test("a stats event at once; a burst raises the queue depth, which drains back to 0 with the worker idle again", async () => {
    const res = await open();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const photo = await readImage("dog.jpg");
    // The counts are read every 500 ms (on Redis, the cluster's, refreshed about once a second):
    // a burst that drains faster can fall between two readings and never show. One worker takes
    // ~70 ms a warm dog.jpg, so 20 keep the queue up for more than a second.
    const burst = (async () => {
      for (let i = 0; i < 20; i++) expect((await upload(svc.app, photo)).status).toBe(201);
    })();
    // Until the queue has filled and drained: deepest seen above 0, then empty with no worker busy.
    let deepest = 0;
    const seen = await readUntil(res, (s) => {
      deepest = Math.max(deepest, s.queue_depth);
      return deepest > 0 && s.queue_depth === 0 && s.workers.busy === 0;
    });
    await burst;
    const first = seen[0];
    expect(Object.keys(first).sort()).toEqual(["at", "clients_waiting", "images_per_second", "queue_depth", "tasks", "throughput", "workers"]);
    expect(first.throughput).toHaveLength(60);
    expect(seen.at(-1).workers).toMatchObject({ total: 1, busy: 0 }); // the one worker, idle again
    expect(Math.max(...seen.map((s) => s.queue_depth))).toBeGreaterThan(0);
    // On Redis, workers' states come with the inference processes' heartbeats, which a short burst can fall between.
    if (!onRedis) expect(seen.some((s) => s.workers.busy === 1)).toBe(true);
    expect(seen.some((s) => s.clients_waiting === 1)).toBe(true);
    expect(seen.at(-1).queue_depth).toBe(0);
    // Counts only: no task id, no client name anywhere in the stream.
    expect(JSON.stringify(seen)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|key:|address/);
  }, 60_000);

  test("the chart's series counts the completions of the last minute", async () => {
    await detect(svc.app, await readImage("dog.jpg"));
    // The second a task completed in enters the series once it is over.
    await Bun.sleep(1100);
    const res = await open("application/json");
    expect(res.status).toBe(200);
    const stats = (await res.json()) as any;
    expect(stats.throughput.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(stats.images_per_second).toBeGreaterThan(0);
  });

  test("past EVENTS_MAX_SUBSCRIBERS listeners: 503 too_many_subscribers with Retry-After; a listener leaving frees its place", async () => {
    const a = await open();
    const b = await open();
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await open();
    expect(c.status).toBe(503);
    expect(c.headers.get("content-type")).toContain("application/problem+json");
    expect(c.headers.get("retry-after")).toBeTruthy();
    expect(((await c.json()) as any).code).toBe("too_many_subscribers");
    await a.body!.cancel();
    await Bun.sleep(50);
    const d = await open();
    expect(d.status).toBe(200);
    await Promise.all([b.body!.cancel(), d.body!.cancel()]);
  });
});
