/**
 * The bare pipeline: the service's own modules (Detector.detect, as an
 * inference worker runs it) over the shared photos, in `threads` Bun Workers
 * of a process of its own, with no HTTP, queue or worker messages per image.
 * What the service spends beyond it per image is its overhead around the
 * pipeline. A process of its own so that its threads' CPU, read from /proc,
 * is the pipeline's alone, and so that it runs with start:prod's allocator
 * settings (MALLOC_ARENA_MAX), as the service does.
 * Usage: bun bench/bare-pipeline.ts MODEL ANNOTATED_MAX_SIDE ANNOTATE THREADS SECONDS PHOTO...
 * Prints its BarePipelineReport as JSON.
 */
import { resolve } from "node:path";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import { cpuBetween, MS_PER_TICK, sampleCpu, threadProfile, threadTicksById, ticksOf } from "./proc";
import type { BarePipelineJob } from "./bare-pipeline-worker";
import { byThreadGroup } from "./service-cpu";

export interface BarePipelineReport {
  threads: number;
  annotate: boolean;
  images: number;
  images_per_second: number;
  cpu_ms_per_image: number;
  /** CPU per image by thread name: the pipelines' "Worker" threads, libvips', Bun's pool, GC and JIT helpers */
  threads_ms_per_image: Record<string, number>;
  /** what the machine spent meanwhile on work other than this process, in % of one core */
  other_pct: number;
}

/** Runs the bare pipeline in a child process, as start:prod runs the service (its allocator and font settings), with a progress bar. */
export async function runBarePipeline(o: { modelPath: string; annotatedMaxSide: number; annotate: boolean; threads: number; seconds: number; photoFiles: string[] }): Promise<BarePipelineReport> {
  const repo = resolve(import.meta.dir, "..");
  const bar = progressBar("bare pipeline          ");
  const started = performance.now();
  // Loading the sessions and one untimed pass over the photos come first: about two seconds.
  const ticker = setInterval(() => bar.update(Math.min(1, (performance.now() - started) / ((o.seconds + 2) * 1000))), 1000);
  const child = Bun.spawn(["bun", import.meta.path, o.modelPath, String(o.annotatedMaxSide), String(o.annotate), String(o.threads), String(o.seconds), ...o.photoFiles], {
    env: { FONTCONFIG_FILE: `${repo}/src/vision/fonts.conf`, ...process.env, MALLOC_ARENA_MAX: "2" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(child.stdout).text();
  clearInterval(ticker);
  if ((await child.exited) !== 0) throw new Error("the bare pipeline failed");
  const report = JSON.parse(out) as BarePipelineReport;
  bar.done(`${report.images_per_second} img/s`);
  return report;
}

if (import.meta.main) {
  const [modelPath, maxSide, annotate, threads, seconds, ...files] = process.argv.slice(2);
  const photos = await Promise.all(files.map(async (f) => new Uint8Array(await Bun.file(f).arrayBuffer())));
  const workers = Array.from({ length: Number(threads) }, () => new Worker(new URL("./bare-pipeline-worker.ts", import.meta.url)));
  const next = (wk: Worker) => new Promise<{ done?: number }>((res) => wk.addEventListener("message", (e) => res(e.data), { once: true }));
  const warm = workers.map(next);
  const job: BarePipelineJob = { modelPath, annotatedMaxSide: Number(maxSide), annotate: annotate === "true", photos, seconds: Number(seconds) };
  for (const wk of workers) wk.postMessage(job);
  await Promise.all(warm);
  const finished = workers.map(next);
  const ticks0 = ticksOf(process.pid);
  const machine0 = sampleCpu({});
  const byThread0 = threadTicksById(process.pid);
  const t0 = performance.now();
  for (const wk of workers) wk.postMessage("go");
  const images = (await Promise.all(finished)).reduce((n, r) => n + (r.done ?? 0), 0);
  const elapsed = (performance.now() - t0) / 1000;
  const perImage = (ticks: number) => round((ticks * MS_PER_TICK) / Math.max(1, images));
  const byThread = threadProfile(byThread0, threadTicksById(process.pid));
  const machine = cpuBetween(machine0, sampleCpu({}));
  // Terminated only after each answered "done": never while native work runs.
  for (const wk of workers) wk.terminate();
  const report: BarePipelineReport = {
    threads: Number(threads),
    annotate: job.annotate,
    images,
    images_per_second: round(images / elapsed, 2),
    cpu_ms_per_image: perImage(ticksOf(process.pid) - ticks0),
    threads_ms_per_image: byThreadGroup(byThread, perImage),
    other_pct: machine.other_pct,
  };
  console.log(JSON.stringify(report));
}
