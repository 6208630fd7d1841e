import { join, resolve } from "node:path";
import { countBy, round, summarize, type Summary } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { type LimitResult, measureLimit } from "./limit";
import { measurePollCost, type PollCost } from "./poll-cost";
import type { PollLoadReport } from "./poll-load";
import { cpuLoad } from "./cpu-load";
import { MS_PER_TICK, processRunning, threadProfile, threadTicksById, treeTicks } from "./proc";
import { startServer } from "./server";
import { uploadForm } from "./upload-form";

const REPO = resolve(import.meta.dir, "..");
const IMAGES = join(REPO, "../shared/images");
/** The polling load generator runs this far below normal priority, like the service's inference threads (INFERENCE_NICE). */
const LOAD_NICE = 10;
/**
 * The probe times uploads only after this long (a quarter of a short run): the
 * clients' first uploads all arrive at once (the ramp), then the queue stays full.
 */
const PROBE_WARMUP_MS = 5000;

export interface PerfOptions {
  modelPath: string;
  photos: BenchImage[];
  clients: number;
  pollMs: number;
  seconds: number;
  limitSeconds: number;
  /** which measurements to run (all by default): limit, polling, events, poll-cost */
  parts?: string[];
}

export interface PerfReport {
  limit: LimitResult;
  polling: PollLoadReport & { images_per_second: number; server_cpu_ms_per_image: number; probe_post_ms: Summary; probe_codes: Record<string, number>; threads_ms_per_image: Record<string, number> };
  events: { images_per_second: number; server_cpu_ms_per_image: number };
  poll_cost: { pending: PollCost; finished_inline_image: PollCost };
  targets: { target: string; goal: string; reached: string; met: boolean }[];
}

/** Bare ONNX Runtime's best layout, with its CPU per image. */
async function bareLimit(o: PerfOptions, image: Uint8Array) {
  let best: LimitResult | undefined;
  for (const [sessions, threads] of [[2, 1], [1, 2]] as const) {
    const r = await measureLimit(o.modelPath, image, sessions, threads, o.limitSeconds);
    if (!best || r.imagesPerSecond > best.imagesPerSecond) best = { ...r, cpuMsPerImage: round(r.cpuMsPerImage) };
  }
  return best!;
}

/** Runs the load while a separate process probes ingestion, then the service's CPU per finished image. */
async function pollingRun(o: PerfOptions, probeImage: string) {
  const server = await startServer(REPO, {});
  try {
    const probe = Bun.spawn(["bun", join(import.meta.dir, "ingest-probe.ts"), server.url, probeImage, "500", String(o.seconds), String(Math.min(PROBE_WARMUP_MS, o.seconds * 250))], { stdout: "pipe", stderr: "inherit" });
    const before = treeTicks(server.pid);
    const serverPid = processRunning(server.pid, "src/main/serve.ts") ?? server.pid;
    const threadsBefore = threadTicksById(serverPid);
    const bar = progressBar(`polling: ${o.clients} clients   `);
    const started = performance.now();
    const ticker = setInterval(() => bar.update(Math.min(1, (performance.now() - started) / (o.seconds * 1000))), 1000);
    const client = Bun.spawn(["nice", "-n", String(LOAD_NICE), "bun", join(import.meta.dir, "poll-load.ts"), server.url, IMAGES, String(o.clients), String(o.pollMs), String(o.seconds)], { stdout: "pipe", stderr: "inherit" });
    const load = JSON.parse(await new Response(client.stdout).text()) as PollLoadReport;
    clearInterval(ticker);
    bar.done();
    const cpuMs = (treeTicks(server.pid) - before) * MS_PER_TICK;
    const threads = threadProfile(threadsBefore, threadTicksById(serverPid));
    const samples = JSON.parse(await new Response(probe.stdout).text()) as { code: number; ms: number }[];
    return {
      ...load,
      images_per_second: round(load.completed / load.seconds, 2),
      server_cpu_ms_per_image: round(cpuMs / Math.max(1, load.completed)),
      probe_post_ms: summarize(samples.filter((s) => s.code === 201).map((s) => s.ms)),
      probe_codes: countBy(samples.map((s) => s.code)),
      /** where the server's CPU went, by thread name (ms per finished image) */
      threads_ms_per_image: Object.fromEntries(Object.entries(threads).map(([name, ticks]) => [name, round((ticks * MS_PER_TICK) / Math.max(1, load.completed))])),
    };
  } finally {
    await server.stop();
  }
}

/** Clients that follow their tasks over SSE: they cost the box little, so the service's own overhead shows. */
async function eventsRun(o: PerfOptions) {
  const server = await startServer(REPO, {});
  try {
    const run = await cpuLoad(server, { label: "events: 32 clients     ", images: o.photos, requests: Math.max(64, Math.round(o.seconds * 16)), concurrency: 32 });
    return { images_per_second: run.images_per_second, server_cpu_ms_per_image: run.cpu_ms_per_image };
  } finally {
    await server.stop();
  }
}

/** Main-thread CPU per poll: of a pending task (behind a full queue) and of a finished one with its inline image. */
async function pollCostRun(o: PerfOptions) {
  const server = await startServer(REPO, { QUEUE_MAX: "1000" });
  try {
    const pid = processRunning(server.pid, "src/main/serve.ts") ?? server.pid;
    const upload = async () => {
      const form = uploadForm(o.photos[0].bytes, "p.jpg");
      return ((await (await fetch(`${server.url}/predict`, { method: "POST", body: form })).json()) as { task_id: string }).task_id;
    };
    const first = await upload();
    for (;;) {
      const t = (await (await fetch(`${server.url}/result/${first}`)).json()) as { status: string };
      if (t.status === "completed") break;
      await Bun.sleep(50);
    }
    const finished = await measurePollCost(server.url, first, pid, 8, 3);
    // A queue long enough to keep the last task pending for the whole measurement.
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push(await upload());
    const pending = await measurePollCost(server.url, ids.at(-1)!, pid, 8, 3);
    return { pending, finished_inline_image: finished };
  } finally {
    await server.stop();
  }
}

const nan = Number.NaN;
const noSummary = { n: 0, p50: nan, p99: nan, max: nan };
const noCost = { polls: 0, polls_per_second: nan, cpu_us_per_poll: nan };
/** What a part left out with --parts reports: NaN, so its target reads "no". */
const NOT_RUN = {
  limit: { layout: "not run", sessions: 0, threads: 0, imagesPerSecond: nan, msPerImage: nan, cpuMsPerImage: nan } as LimitResult,
  polling: { clients: 0, seconds: 0, uploads: 0, completed: 0, polls: 0, images_per_second: nan, server_cpu_ms_per_image: nan, probe_post_ms: noSummary, probe_codes: {}, threads_ms_per_image: {} },
  events: { images_per_second: nan, server_cpu_ms_per_image: nan },
  poll_cost: { pending: noCost, finished_inline_image: noCost },
};

/** `bun run bench --perf`: the five performance targets, each with the figure reached, in one run. */
export async function runPerf(o: PerfOptions): Promise<PerfReport> {
  const dog = o.photos.find((p) => p.name.startsWith("dog"))!;
  const wanted = (part: string) => !o.parts || o.parts.includes(part);
  const limitBar = progressBar("limit (best layout)    ");
  const limit = wanted("limit") ? await bareLimit(o, dog.bytes) : NOT_RUN.limit;
  limitBar.done(`${limit.layout}: ${round(limit.imagesPerSecond, 2)} img/s`);
  const probeImage = join(REPO, "../shared/images", dog.name.split("@")[0]);
  const polling = wanted("polling") ? await pollingRun(o, probeImage) : NOT_RUN.polling;
  const events = wanted("events") ? await eventsRun(o) : NOT_RUN.events;
  const costBar = progressBar("poll cost              ");
  const pollCost = wanted("poll-cost") ? await pollCostRun(o) : NOT_RUN.poll_cost;
  costBar.done();
  const ratio = polling.server_cpu_ms_per_image / limit.cpuMsPerImage;
  const share = events.images_per_second / limit.imagesPerSecond;
  const targets = [
    { target: "1. server CPU per image (polling) / bare ORT's", goal: "≤ 1.10", reached: `${round(ratio, 2)} (${polling.server_cpu_ms_per_image} / ${limit.cpuMsPerImage} ms)`, met: ratio <= 1.1 },
    { target: "2. POST p50 / p99 under polling (probe)", goal: "≤ 5 / 20 ms", reached: `${polling.probe_post_ms.p50} / ${polling.probe_post_ms.p99} ms`, met: polling.probe_post_ms.p50 <= 5 && polling.probe_post_ms.p99 <= 20 },
    { target: "3a. CPU per poll, pending task", goal: "≤ 20 µs", reached: `${pollCost.pending.cpu_us_per_poll} µs`, met: pollCost.pending.cpu_us_per_poll <= 20 },
    { target: "3b. CPU per poll, finished with inline image", goal: "≤ 60 µs", reached: `${pollCost.finished_inline_image.cpu_us_per_poll} µs`, met: pollCost.finished_inline_image.cpu_us_per_poll <= 60 },
    { target: "4. events throughput / bare limit", goal: "≥ 0.88", reached: `${round(share, 3)} (${events.images_per_second} / ${round(limit.imagesPerSecond, 2)})`, met: share >= 0.88 },
  ];
  return { limit, polling, events, poll_cost: pollCost, targets };
}
