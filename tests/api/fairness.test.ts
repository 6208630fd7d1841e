import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { onRedis } from "../support/backend";
import { SLOW_MAX_DET } from "../support/faulty-worker";
import { readImage } from "../support/paths";
import { requestFrom, uploadFrom } from "../support/source-http";
import { startTestService, type TestService, waitFor } from "../support/test-service";
import { isTerminal } from "../../src/domain/task";

// Fair share between clients on a real socket, on whichever backend TEST_BACKEND names,
// with one worker so the order in which tasks start is the queue's order.
let svc: TestService;
let server: { stop(force?: boolean): void };
let base: string;
let dog: Uint8Array;

beforeAll(async () => {
  // TRUST_PROXY_HOPS=1: X-Forwarded-For's last entry names the client; without the header, the connection's address does.
  // The real worker, which also holds a task with max_det 296 for a few seconds: a blocker of known length.
  svc = await startTestService(
    { WORKERS: "1", QUEUE_MAX: "100", CLIENT_QUEUE_MAX: "40", TRUST_PROXY_HOPS: "1" },
    { workerEntry: new URL("../support/faulty-worker.ts", import.meta.url) },
  );
  const listening = svc.app.listen({ port: 0, hostname: "127.0.0.1" });
  server = listening.server!;
  base = `http://127.0.0.1:${listening.server!.port}`;
  dog = await readImage("dog.jpg");
});
afterAll(async () => {
  server?.stop(true);
  await svc?.stop();
});

const result = async (id: string) => (await requestFrom(`${base}/result/${id}`)).body;
const finished = async (id: string) => isTerminal((await result(id)).status);
/** How many of the queue's first positions the ordering test runs through to the end. */
const SHOWN = 8;
/** Task ids in the order they moved to processing (one worker: the order they started). */
const startOrder = () => svc.logs.filter((l) => l.msg === "task" && l.status === "processing").map((l) => l.task_id as string);

type Source = { localAddress?: string; headers?: Record<string, string> };
const clientsBy: Record<string, [Source, Source]> = {
  "loopback source address (127.0.0.2 vs 127.0.0.3)": [{ localAddress: "127.0.0.2" }, { localAddress: "127.0.0.3" }],
  "X-Forwarded-For with TRUST_PROXY_HOPS=1": [
    { headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.10" } }, // the client's own entry (6.6.6.6) is not believed
    { headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.20" } },
  ],
};

describe(`fair queue (${onRedis ? "redis" : "embedded"})`, () => {
  for (const [how, [a, b]] of Object.entries(clientsBy)) {
    test(`a flood of 40 from A does not hold back B's one task (clients told apart by ${how})`, async () => {
      const flood: string[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await uploadFrom(base, dog, a);
        expect(res.status).toBe(201);
        flood.push(res.body.task_id);
      }
      const mine = await uploadFrom(base, dog, b);
      expect(mine.status).toBe(201);
      expect(mine.body.queue_position).toBeLessThanOrEqual(2); // behind at most A's next task
      const bId = mine.body.task_id;
      await waitFor(() => finished(bId), 60_000, "B's task");
      const bDone = await result(bId);
      expect(bDone.status).toBe("completed");
      const [from, to] = [Date.parse(bDone.created_at), Date.parse(bDone.updated_at)];
      const aDone = await Promise.all(flood.map(result));
      const whileBWaited = aDone.filter((t) => t.status === "completed" && Date.parse(t.updated_at) >= from && Date.parse(t.updated_at) <= to);
      expect(whileBWaited.length).toBeLessThanOrEqual(3);
      expect(aDone.filter((t) => t.status === "pending").length).toBeGreaterThan(20); // the flood was still there
      for (const id of flood) await requestFrom(`${base}/result/${id}/cancel`, { method: "POST" });
    }, 120_000);
  }

  // CLIENT_QUEUE_MAX binds while other clients wait (a client alone may use the queue: lone-client.test.ts).
  test("CLIENT_QUEUE_MAX refuses A with its own code and a Retry-After while B waits, and still admits B and C; tasks start in the order of their positions", async () => {
    const A = { localAddress: "127.0.0.2" };
    const B = { localAddress: "127.0.0.3" };
    // Holds the one worker for seconds, so what waits behind it can be read as one snapshot.
    const blocker = await uploadFrom(base, dog, { localAddress: "127.0.0.4", query: `max_det=${SLOW_MAX_DET}` });
    expect(blocker.status).toBe(201);
    await waitFor(async () => (await result(blocker.body.task_id)).status === "processing", 30_000, "the blocker to start");
    // B waits first, so A is not alone.
    const first = await uploadFrom(base, dog, B);
    expect(first.status).toBe(201);
    const accepted: string[] = [];
    let refused;
    for (let i = 0; i < 41; i++) {
      const res = await uploadFrom(base, dog, A);
      if (res.status === 201) accepted.push(res.body.task_id);
      else refused = res;
    }
    expect(accepted.length).toBe(40);
    expect(refused!.status).toBe(429);
    expect(refused!.body.code).toBe("client_queue_full");
    expect(refused!.body.detail).toContain("CLIENT_QUEUE_MAX");
    expect(Number(refused!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    const others = [first.body.task_id];
    for (const source of [B, { localAddress: "127.0.0.5" }]) {
      const res = await uploadFrom(base, dog, source);
      expect(res.status).toBe(201);
      others.push(res.body.task_id);
    }
    // One snapshot while the blocker runs: positions 1..n with no gap, B and C interleaved with A's flood.
    const waiting = [...accepted, ...others];
    // Each view prices its position with the rate of the moment; on Redis the rate is refreshed from the
    // heartbeats every second, so a refresh can land inside a snapshot and mix two rates: read it again then.
    const etaGrows = (sorted: any[]) => sorted.every((v, i) => i === 0 || v.eta_ms >= sorted[i - 1].eta_ms);
    let views: any[] = [];
    let byPosition: any[] = [];
    for (let read = 0; read < 3 && (read === 0 || !etaGrows(byPosition)); read++) {
      views = await Promise.all(waiting.map(result));
      byPosition = [...views].sort((x, y) => x.queue_position - y.queue_position);
    }
    expect(views.every((v) => v.status === "pending")).toBe(true);
    expect(byPosition.map((v) => v.queue_position)).toEqual(waiting.map((_, i) => i + 1));
    expect(views.map((v) => v.queue_position).slice(-3)).toEqual([1, 4, 3]); // turns: B, A, C, B, A, A…
    // eta grows with the position
    for (let i = 1; i < byPosition.length; i++) expect(byPosition[i].eta_ms).toBeGreaterThanOrEqual(byPosition[i - 1].eta_ms);
    const health = (await requestFrom(`${base}/health`)).body;
    expect(health.clients.active).toBe(3);
    expect(health.clients.largest_backlogs[0]).toEqual({ client: "address", waiting: 40 });
    expect(health.refusals.client_queue_full).toBeGreaterThanOrEqual(1);
    const metrics = (await requestFrom(`${base}/metrics`)).body as string;
    expect(metrics).toContain('yolo_client_backlog{rank="1"} 40');
    expect(metrics).toMatch(/yolo_active_clients 3/);
    expect(metrics).toContain('yolo_rejections_total{reason="client_queue_full"}');
    // The first positions (B's and C's turns among them) show the order; the rest of A's flood is canceled
    // while still waiting, rather than run for seconds to show the same rule again.
    const shown = byPosition.slice(0, SHOWN).map((v) => v.task_id as string);
    for (const v of byPosition.slice(SHOWN)) await svc.app.handle(new Request(`http://localhost/result/${v.task_id}/cancel`, { method: "POST" }));
    await waitFor(async () => (await Promise.all(waiting.map(finished))).every(Boolean), 120_000, "every task");
    const started = startOrder().filter((id) => waiting.includes(id));
    expect(started.slice(0, SHOWN)).toEqual(shown);
    // Whatever the worker reached before a cancel landed, it took in position order.
    expect(started).toEqual(byPosition.slice(0, started.length).map((v) => v.task_id));
  }, 180_000);
});
