import { round, table } from "../src/bench-kit/stats";
import type { PerfReport } from "./perf-report";

/** Threads in the order the table lists them; any other name the run met follows. */
const THREAD_ORDER = ["main", "Worker", "libvips worker", "Bun Pool", "JITWorker", "HeapHelper", "mi-scavenger"];

/** `--perf`'s figures as tables on stdout: the targets, CPU per image by thread for each run, the bare shapes. */
export function printPerf(r: PerfReport) {
  console.log(table([["target", "goal", "reached", "met"], ...r.targets.map((t) => [t.target, t.goal, t.reached, t.met ? "yes" : "no"])]));
  const runs: [string, { cpu_ms_per_image: number; threads_ms_per_image: Record<string, number>; other_pct: number }][] = [
    [`bare pipeline (${r.pipeline.threads} threads)`, r.pipeline],
    ...r.events.map((e) => [`events, rect=${e.rect}`, e] as [string, typeof e]),
    [`polling (${r.polling.clients} clients)`, r.polling],
    ...(r.pipeline_after ? [[`bare pipeline again`, r.pipeline_after] as [string, typeof r.pipeline]] : []),
  ];
  const names = [...THREAD_ORDER, ...new Set(runs.flatMap(([, x]) => Object.keys(x.threads_ms_per_image)).filter((n) => !THREAD_ORDER.includes(n)))];
  const cell = (v: number | undefined) => (v === undefined ? "-" : v);
  console.log(
    `\nCPU ms per image by thread\n${table([
      ["thread", ...runs.map(([label]) => label)],
      ...names.filter((n) => runs.some(([, x]) => x.threads_ms_per_image[n] !== undefined)).map((n) => [n, ...runs.map(([, x]) => cell(x.threads_ms_per_image[n]))]),
      ["all", ...runs.map(([, x]) => x.cpu_ms_per_image)],
      ["other work on the machine, % of a core", ...runs.map(([, x]) => x.other_pct)],
    ])}`,
  );
  const disturbed = runs.filter(([, x]) => x.other_pct > 10).map(([label, x]) => `${label} (${x.other_pct}%)`);
  if (disturbed.length) console.log(`warning: other work used the CPU during ${disturbed.join(", ")}; the threads shared caches and cores with it, so those figures are high`);
  console.log(
    `bare ORT (2x1) at the default's shapes (rect=${r.shapes.rect}): ${r.shapes.shapes.map((s) => `${s.shape} ${s.cpu_ms_per_image} ms (${s.photos.join(", ")})`).join("; ")}; ` +
      `mean over the photos ${r.shapes.cpu_ms_per_image} ms, against ${r.limit.cheapest.cpuMsPerImage} at 640x640 (${r.limit.cheapest.layout})`,
  );
  const p = r.polling;
  console.log(`polling: ${p.uploads} uploads, ${p.completed} completed, ${p.polls} polls (${round(p.polls / Math.max(1, p.completed))} per image), ${p.images_per_second} img/s`);
  console.log(`events: ${r.events.map((e) => `rect=${e.rect} ${e.images_per_second} img/s`).join(", ")}; bare pipeline ${r.pipeline.images_per_second} img/s`);
  console.log(`poll cost: pending ${JSON.stringify(r.poll_cost.pending)}, finished ${JSON.stringify(r.poll_cost.finished_inline_image)}`);
}
