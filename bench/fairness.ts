/**
 * `bun run bench --fairness`: what the fair queue costs against a plain FIFO.
 *   1. the queues alone: FifoQueue (what the embedded backend used before)
 *      against FairQueue, per task queued, its position read and dequeued,
 *      with QUEUE_MAX (100) tasks waiting from 1 and from 32 clients;
 *   2. the service at the same load, in this process on the real model, on
 *      each backend: every upload from one client (the fair queue then serves
 *      in arrival order, as the FIFO did) against every concurrent client
 *      its own (X-Forwarded-For with TRUST_PROXY_HOPS=1): the most turns the
 *      scheduler must keep and the most work per position read. Throughput
 *      and POST latency for each.
 */
import { modelNameOf } from "../src/config/model-list";
import { loadConfig } from "../src/config/config";
import { createService } from "../src/main/create-service";
import { FairQueue } from "../src/queue/fair-queue";
import { FifoQueue } from "../src/queue/fifo-queue";
import { percentile, round } from "../src/bench-kit/stats";
import { jsonLogger } from "../src/util/logger";
import { isTerminal, type TaskStatus } from "../src/domain/task";
import { uploadForm } from "./upload-form";

export interface FairnessOptions {
  modelPath: string;
  /** a redis:// URL to measure the Redis backend too */
  redisUrl?: string;
  requests: number;
  concurrency: number;
  image: Uint8Array;
}

/** Microseconds per task: push, read its position once, then dequeue, with `waiting` tasks queued from `clients` clients. */
function queueCost(kind: "fifo" | "fair", waiting: number, clients: number, rounds = 2000) {
  const fifo = new FifoQueue<number>();
  const fair = new FairQueue<number>();
  let next = 0;
  const push = () => (kind === "fifo" ? fifo.push(next) : fair.push(`c${next % clients}`, next), next++);
  for (let i = 0; i < waiting; i++) push();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    push();
    if (kind === "fifo") fifo.positionOf(next - 1), fifo.shift();
    else fair.positionOf(next - 1), fair.shift();
  }
  return round(((performance.now() - t0) * 1000) / rounds, 2);
}

async function serviceRun(opts: FairnessOptions, backend: "embedded" | "redis", clients: "one" | "many") {
  const env: Record<string, string> = { TRUST_PROXY_HOPS: "1", CLIENT_QUEUE_MAX: "1000", QUEUE_MAX: "1000", LOG_LEVEL: "silent" };
  if (backend === "redis") Object.assign(env, { QUEUE_BACKEND: "redis", REDIS_URL: opts.redisUrl!, REDIS_PREFIX: `bench:fair:${crypto.randomUUID().slice(0, 8)}` });
  const config = loadConfig({ ...env, MODEL_PATH: opts.modelPath });
  const service = createService({ config, models: [{ name: modelNameOf(opts.modelPath), path: opts.modelPath }], log: jsonLogger("silent") });
  service.start();
  while (service.backend.notReadyReason()) await Bun.sleep(20);
  const encoded = new Response(uploadForm(opts.image, "dog.jpg"));
  const type = encoded.headers.get("content-type")!;
  const body = new Uint8Array(await encoded.arrayBuffer());
  const post: number[] = [];
  let issued = 0;
  const t0 = performance.now();
  const slot = async (s: number) => {
    const xff = clients === "one" ? "198.51.100.1" : `198.51.100.${s + 1}`;
    while (issued < opts.requests) {
      issued++;
      const started = performance.now();
      const res = await service.app.handle(
        new Request("http://bench/predict", { method: "POST", body, headers: { "content-type": type, "content-length": String(body.byteLength), "x-forwarded-for": xff } }),
      );
      post.push(performance.now() - started);
      const { task_id: id } = (await res.json()) as { task_id: string };
      for (;;) {
        const view = (await (await service.app.handle(new Request(`http://bench/result/${id}`))).json()) as { status: TaskStatus };
        if (isTerminal(view.status)) break;
        await Bun.sleep(25);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, s) => slot(s)));
  const seconds = (performance.now() - t0) / 1000;
  await service.stop();
  return {
    backend,
    clients: clients === "one" ? 1 : opts.concurrency,
    images_per_second: round(opts.requests / seconds, 2),
    post_ms: { p50: round(percentile(post, 50)), p95: round(percentile(post, 95)), p99: round(percentile(post, 99)) },
  };
}

export async function runFairness(opts: FairnessOptions) {
  const queues = [1, 32].flatMap((clients) =>
    (["fifo", "fair"] as const).map((kind) => ({ queue: kind, clients: kind === "fifo" ? 1 : clients, waiting: 100, us_per_task: queueCost(kind, 100, clients) })),
  );
  const service = [];
  for (const backend of opts.redisUrl ? (["embedded", "redis"] as const) : (["embedded"] as const)) {
    for (const clients of ["one", "many"] as const) service.push(await serviceRun(opts, backend, clients));
  }
  return { requests: opts.requests, concurrency: opts.concurrency, queues, service };
}
