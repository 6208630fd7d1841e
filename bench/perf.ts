import { join, resolve } from "node:path";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import { type BarePipelineReport, runBarePipeline } from "./bare-pipeline";
import type { BenchImage } from "./images";
import { type LimitResult, measureLimit } from "./limit";
import { type EventsRun, eventsRuns, pollCostRun, type PollingRun, pollingRun } from "./perf-runs";
import { perfTargets } from "./perf-targets";
import type { PerfReport } from "./perf-report";
import { measureShapeLimits, type ShapeLimits } from "./shape-limits";

const IMAGES = resolve(import.meta.dir, "../../shared/images");

/** What `--parts` may name; all run by default. */
export const PERF_PARTS = ["limit", "shapes", "pipeline", "polling", "events", "poll-cost"] as const;

export interface PerfOptions {
  modelPath: string;
  photos: BenchImage[];
  clients: number;
  pollMs: number;
  seconds: number;
  limitSeconds: number;
  /** the service's defaults: the bare pipeline runs as its workers do */
  workers: number;
  annotatedMaxSide: number;
  annotate: boolean;
  /** which measurements to run (all by default): PERF_PARTS */
  parts?: string[];
}

export type { PerfReport };


const nan = Number.NaN;
const noCost = { polls: 0, polls_per_second: nan, cpu_us_per_poll: nan };
const noCpu = { cpu_ms_per_image: nan, threads_ms_per_image: {}, other_pct: nan };
/** What a part left out with --parts reports: NaN, so its target reads "no". */
const NOT_RUN: Omit<PerfReport, "targets"> = {
  limit: { layout: "not run", sessions: 0, threads: 0, imagesPerSecond: nan, msPerImage: nan, cpuMsPerImage: nan, cheapest: { layout: "not run", cpuMsPerImage: nan } },
  shapes: { rect: "not run", shapes: [], cpu_ms_per_image: nan },
  pipeline: { threads: 0, annotate: false, images: 0, images_per_second: nan, ...noCpu },
  polling: { clients: 0, seconds: 0, uploads: 0, completed: 0, polls: 0, images_per_second: nan, probe_post_ms: { n: 0, p50: nan, p99: nan, max: nan }, probe_codes: {}, ...noCpu },
  events: [
    { rect: "default", images_per_second: nan, ...noCpu },
    { rect: "off", images_per_second: nan, ...noCpu },
  ],
  poll_cost: { pending: noCost, finished_inline_image: noCost },
};

/**
 * Bare ONNX Runtime at 640×640 in both layouts: the faster one is the limit
 * on images per second; the cheaper one's CPU per image is what the
 * service's is held to (one session with two intra-op threads spins its
 * pool, so it costs more CPU for the same images).
 */
async function bareLimit(o: PerfOptions, image: Uint8Array): Promise<LimitResult & { cheapest: { layout: string; cpuMsPerImage: number } }> {
  const bar = progressBar("bare ORT 640x640       ");
  const runs: LimitResult[] = [];
  for (const [i, [sessions, threads]] of ([[2, 1], [1, 2]] as const).entries()) {
    const r = await measureLimit(o.modelPath, image, sessions, threads, o.limitSeconds);
    runs.push({ ...r, cpuMsPerImage: round(r.cpuMsPerImage) });
    bar.update((i + 1) / 2, `${sessions}x${threads}`);
  }
  const best = runs.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  const cheapest = runs.reduce((a, b) => (b.cpuMsPerImage < a.cpuMsPerImage ? b : a));
  bar.done(`${best.layout}: ${round(best.imagesPerSecond, 2)} img/s; ${cheapest.layout}: ${cheapest.cpuMsPerImage} ms of CPU per image`);
  return { ...best, cheapest: { layout: cheapest.layout, cpuMsPerImage: cheapest.cpuMsPerImage } };
}

/** Bare ONNX Runtime again in the layout that was cheapest, after the service's runs: its CPU per image. */
async function cheapestAgain(o: PerfOptions, image: Uint8Array, layout: string): Promise<{ layout: string; cpuMsPerImage: number }> {
  const [sessions, threads] = layout.split("x").map(Number);
  const r = await measureLimit(o.modelPath, image, sessions, threads, o.limitSeconds);
  return { layout, cpuMsPerImage: round(r.cpuMsPerImage) };
}

/**
 * `bun run bench --perf`: issue 26's targets in one run, each with its figures:
 * bare ONNX Runtime at 640×640 and at the default's shapes, the bare pipeline
 * over the service's modules, the service under the event-stream load (the
 * default and rect=off) and under the original's polling load with the upload
 * probe, and the CPU of one poll; every service figure also by thread.
 */
export async function runPerf(o: PerfOptions): Promise<PerfReport> {
  const dog = o.photos.find((p) => p.name.startsWith("dog"))!;
  const wanted = (part: (typeof PERF_PARTS)[number]) => !o.parts || o.parts.includes(part);
  const files = o.photos.map((p) => join(IMAGES, p.name.split("@")[0]));
  const limit = wanted("limit") ? await bareLimit(o, dog.bytes) : NOT_RUN.limit;
  const shapes = wanted("shapes") ? await measureShapeLimits(o.modelPath, o.photos, o.limitSeconds) : NOT_RUN.shapes;
  const pipeline = wanted("pipeline")
    ? await runBarePipeline({ modelPath: o.modelPath, annotatedMaxSide: o.annotatedMaxSide, annotate: o.annotate, threads: o.workers, seconds: Math.max(2, o.limitSeconds * 2), photoFiles: files })
    : NOT_RUN.pipeline;
  const polling = wanted("polling") ? await pollingRun(o, join(IMAGES, dog.name.split("@")[0])) : NOT_RUN.polling;
  const events = wanted("events") ? await eventsRuns(o.photos, o.workers, Math.max(64, Math.round(o.seconds * 10)), [undefined, "off"]) : NOT_RUN.events;
  // The machine's speed drifts over a run of minutes (neighbours on the host): the bare references are
  // measured again after the service's runs, and the targets compare with the mean of both readings.
  const serviceRan = wanted("polling") || wanted("events");
  const pipeline_after = wanted("pipeline") && serviceRan
    ? await runBarePipeline({ modelPath: o.modelPath, annotatedMaxSide: o.annotatedMaxSide, annotate: o.annotate, threads: o.workers, seconds: Math.max(2, o.limitSeconds * 2), photoFiles: files })
    : undefined;
  const limit_after = wanted("limit") && serviceRan ? await cheapestAgain(o, dog.bytes, limit.cheapest.layout) : undefined;
  const costBar = progressBar("poll cost              ");
  const poll_cost = wanted("poll-cost") ? await pollCostRun(dog) : NOT_RUN.poll_cost;
  costBar.done();
  const measured = { limit, shapes, pipeline, polling, events, poll_cost, ...(pipeline_after ? { pipeline_after } : {}), ...(limit_after ? { limit_after } : {}) };
  return { ...measured, targets: perfTargets(measured) };
}
