/** The service runs of `bun run bench --perf` (bench/perf.ts), each on a service of its own, with its CPU per image by thread. */
import { join, resolve } from "node:path";
import { countBy, round, summarize, type Summary } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { measurePollCost, type PollCost } from "./poll-cost";
import type { PollLoadReport } from "./poll-load";
import { cpuLoad } from "./cpu-load";
import { processRunning } from "./proc";
import { startServer } from "./server";
import { type ServiceCpu, watchServiceCpu } from "./service-cpu";
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

/**
 * Every photo through every worker once before a measured run, as the bare
 * pipeline does before it counts: a worker's first image of each input shape
 * opens that shape's session view, and the JIT warms, which a short run
 * would otherwise count as the service's cost.
 */
async function warmUp(server: { url: string; pid: number }, photos: BenchImage[], workers: number) {
  await cpuLoad(server, { label: "warm-up                ", images: photos, requests: photos.length * workers, concurrency: workers });
}

export type PollingRun = PollLoadReport & ServiceCpu & { images_per_second: number; probe_post_ms: Summary; probe_codes: Record<string, number> };
export type EventsRun = ServiceCpu & { images_per_second: number; rect: string };

/** The original's stress client (64 clients polling every 50 ms) while a separate process probes ingestion. */
export async function pollingRun(o: { clients: number; pollMs: number; seconds: number; photos: BenchImage[]; workers: number }, probeImage: string): Promise<PollingRun> {
  const server = await startServer(REPO, {});
  try {
    await warmUp(server, o.photos, o.workers);
    const probe = Bun.spawn(["bun", join(import.meta.dir, "ingest-probe.ts"), server.url, probeImage, "500", String(o.seconds), String(Math.min(PROBE_WARMUP_MS, o.seconds * 250))], { stdout: "pipe", stderr: "inherit" });
    const bar = progressBar(`polling: ${o.clients} clients   `);
    const started = performance.now();
    const ticker = setInterval(() => bar.update(Math.min(1, (performance.now() - started) / (o.seconds * 1000))), 1000);
    const client = Bun.spawn(["nice", "-n", String(LOAD_NICE), "bun", join(import.meta.dir, "poll-load.ts"), server.url, IMAGES, String(o.clients), String(o.pollMs), String(o.seconds)], { stdout: "pipe", stderr: "inherit" });
    const cpu = watchServiceCpu(server.pid, [probe.pid, client.pid]);
    const load = JSON.parse(await new Response(client.stdout).text()) as PollLoadReport;
    clearInterval(ticker);
    bar.done();
    const used = cpu.stop(load.completed);
    const samples = JSON.parse(await new Response(probe.stdout).text()) as { code: number; ms: number }[];
    return {
      ...load,
      ...used,
      images_per_second: round(load.completed / load.seconds, 2),
      probe_post_ms: summarize(samples.filter((s) => s.code === 201).map((s) => s.ms)),
      probe_codes: countBy(samples.map((s) => s.code)),
    };
  } finally {
    await server.stop();
  }
}

/**
 * 32 clients that follow their tasks over SSE (they cost the box little, so
 * the service's own overhead shows): with each of `rects` in turn on one
 * service, the default first.
 */
export async function eventsRuns(photos: BenchImage[], workers: number, requests: number, rects: (string | undefined)[]): Promise<EventsRun[]> {
  const server = await startServer(REPO, {});
  try {
    await warmUp(server, photos, workers);
    const runs: EventsRun[] = [];
    for (const rect of rects) {
      const cpu = watchServiceCpu(server.pid);
      const label = `events: 32 clients${rect ? `, rect=${rect}` : ""}`.padEnd(23);
      const run = await cpuLoad(server, { label, images: photos, requests, concurrency: 32, fields: rect ? { rect } : undefined });
      const done = run.records.filter((r) => r.status === "completed").length;
      runs.push({ rect: rect ?? "default", images_per_second: run.images_per_second, ...cpu.stop(done) });
    }
    return runs;
  } finally {
    await server.stop();
  }
}

/** Main-thread CPU per poll: of a pending task (behind a full queue) and of a finished one with its inline image. */
export async function pollCostRun(photo: BenchImage): Promise<{ pending: PollCost; finished_inline_image: PollCost }> {
  const server = await startServer(REPO, { QUEUE_MAX: "1000" });
  try {
    const pid = processRunning(server.pid, "src/main/serve.ts") ?? server.pid;
    const upload = async () => {
      const form = uploadForm(photo.bytes, "p.jpg");
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
