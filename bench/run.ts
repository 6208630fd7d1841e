/**
 * `bun run bench`: how close the service comes to what the hardware can do.
 *   1. the limit: bare ONNX Runtime on a letterboxed tensor, per thread layout;
 *   2. the service: `bun start` in a child process under concurrent clients,
 *      first with the 768×576 photos, then with a mix of photos, 1080p and 12 MP.
 * Options: --url URL (measure a running service; skips 1 and the RSS figures),
 *   --requests N, --concurrency C, --limit-seconds S, --sweep (try worker × thread
 *   layouts), --overload S (2× capacity for S seconds, then RSS after the TTL; --ttl S, default 60),
 *   --follow events|polling (how clients learn their task finished; default events),
 *   --quick (a few seconds, for the smoke test), --out FILE,
 *   --perf (the performance targets: bare ORT's best layout and its CPU per image,
 *   --clients C (64) polling every --poll-ms P (50) for --seconds S (30) with a
 *   separate ingestion probe, event-stream clients, and the CPU cost of a poll;
 *   --parts limit,polling,events,poll-cost runs only those),
 *   --tiles (tile=off against tile=auto on 12 MP photos: img/s, CPU per image; bench/tiles.ts),
 *   --fairness (the fair queue against a plain FIFO: the queues alone, then the
 *   service with one client against --concurrency clients; bench/fairness.ts).
 * Backends: --backend embedded (default) | redis | compare.
 *   redis: the service runs as one API replica (start:prod, QUEUE_BACKEND=redis,
 *   WORKERS=0) and --inference-processes N (default 1) `bun run inference:prod`
 *   processes of --workers-per-process W workers (default: the service's default
 *   WORKERS) × --ort-threads T, on REDIS_URL or a throwaway redis-server.
 *   compare: the same photo load on embedded (default layout) and on Redis with
 *   each of --layouts (default 1x3,2x2,2x3: processes × workers), --rounds R
 *   times interleaved; reports medians and the change against embedded.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/config";
import { resolveModel } from "../src/model/resolve-model";
import { progressBar } from "../src/util/progress";
import { type BenchImage, benchImages } from "./images";
import { type LimitResult, measureLimit } from "./limit";
import { measurePipeline, type PipelineRow } from "./pipeline";
import { type IngestReport, runIngest } from "./ingest";
import { type OverloadReport, runOverload } from "./overload";
import { runLoad } from "./load";
import { type ServiceReport, serviceReport } from "../src/bench-kit/report";
import { stopEverything, wasInterrupted } from "./children";
import { type CompareConfig, type CompareRow, type CompareRun, parseLayouts, summarizeComparison } from "./compare";
import { type BenchRedis, benchRedis, layoutName, type RedisLayout, startRedisServer } from "./redis-service";
import { cpuBetween, type CpuUse, sampleCpu } from "./proc";
import { type BenchServer, startServer } from "./server";
import { runPerf } from "./perf";
import { runRect } from "./rect";
import { runTiles } from "./tiles";
import { runFairness } from "./fairness";
import { round, table } from "../src/bench-kit/stats";

const REPO = resolve(import.meta.dir, "..");
const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    requests: { type: "string" },
    concurrency: { type: "string", default: "32" },
    "limit-seconds": { type: "string" },
    sweep: { type: "boolean", default: false },
    perf: { type: "boolean", default: false },
    rect: { type: "boolean", default: false },
    tiles: { type: "boolean", default: false },
    fairness: { type: "boolean", default: false },
    clients: { type: "string", default: "64" },
    "poll-ms": { type: "string", default: "50" },
    seconds: { type: "string" },
    parts: { type: "string" },
    overload: { type: "string" },
    ttl: { type: "string", default: "60" },
    follow: { type: "string", default: "events" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    backend: { type: "string", default: "embedded" },
    "inference-processes": { type: "string", default: "1" },
    "workers-per-process": { type: "string" },
    "ort-threads": { type: "string" },
    layouts: { type: "string" },
    rounds: { type: "string", default: "1" },
  },
});
const quick = args.quick;
const requests = Number(args.requests ?? (quick ? 16 : 300));
const concurrency = Number(args.concurrency);
const limitSeconds = Number(args["limit-seconds"] ?? (quick ? 1 : 8));
const defaults = loadConfig({});
const backend = args.backend as "embedded" | "redis" | "compare";
const redisLayout: RedisLayout = {
  processes: positive("inference-processes", args["inference-processes"]),
  workersPerProcess: positive("workers-per-process", args["workers-per-process"] ?? String(defaults.workers)),
  ortThreads: positive("ort-threads", args["ort-threads"] ?? String(defaults.threadsPerWorker)),
};
const rounds = positive("rounds", args.rounds);
const usage: string[] = [];
if (!["embedded", "redis", "compare"].includes(backend)) usage.push(`--backend must be embedded, redis or compare (got "${args.backend}")`);
if (args.url && backend !== "embedded") usage.push("--url measures a running service whatever its backend; leave out --backend");
if (args.sweep && backend !== "embedded") usage.push("--sweep tries layouts of the embedded backend; --backend compare --layouts tries Redis layouts");
if (args.overload && backend === "compare") usage.push("--overload runs on one backend: --backend embedded or redis");
if (usage.length) {
  console.error(usage.map((u) => `bench: ${u}`).join("\n"));
  process.exit(2);
}

function positive(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

/** One Redis for the whole bench (each service run gets its own key prefix), started on first use. */
let redis: BenchRedis | undefined;
const theRedis = async () => (redis ??= await benchRedis());

async function loadRun(server: { url: string; rssMb?: () => number; roles?: () => Record<string, number[]> }, images: BenchImage[], label: string, n = requests) {
  const bar = progressBar(`${label.padEnd(22)}`);
  let peakRss = server.rssMb?.() ?? Number.NaN;
  const roles = server.roles?.() ?? {};
  const cpuBefore = sampleCpu(roles);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, server.rssMb?.() ?? Number.NaN);
  }, 100);
  const { records, seconds } = await runLoad({
    url: server.url,
    images,
    requests: n,
    concurrency,
    pollMs: 25,
    follow: args.follow === "polling" ? "polling" : "events",
    onProgress: (done, total) => bar.update(done / total, `${done}/${total}`),
  });
  const cpu = cpuBetween(cpuBefore, sampleCpu(roles));
  clearInterval(sampler);
  bar.done();
  return { ...serviceReport(records, seconds, concurrency, label), peak_rss_mb: round(peakRss), cpu };
}

type BackendInfo =
  | { kind: "embedded"; workers: number; ort_threads: number }
  | { kind: "redis"; api_workers: 0; inference_processes: number; workers_per_process: number; ort_threads: number; redis: "local" | "REDIS_URL" };

/** Starts the service on `on` (embedded: one start:prod; redis: API + inference processes), runs `fn`, stops it. */
async function withServer<T>(
  env: Record<string, string>,
  fn: (s: BenchServer) => Promise<T>,
  on: { kind: "embedded" } | { kind: "redis"; layout: RedisLayout } = backend === "redis" ? { kind: "redis", layout: redisLayout } : { kind: "embedded" },
): Promise<T & { ready_ms: number; warm_ms: number; backend: BackendInfo }> {
  let server: BenchServer;
  let info: BackendInfo;
  if (on.kind === "redis") {
    const r = await theRedis();
    server = await startRedisServer(REPO, r, on.layout, env);
    const l = on.layout;
    info = { kind: "redis", api_workers: 0, inference_processes: l.processes, workers_per_process: l.workersPerProcess, ort_threads: l.ortThreads, redis: r.source };
  } else {
    server = await startServer(REPO, env);
    const c = loadConfig({ ...env });
    info = { kind: "embedded", workers: c.workers, ort_threads: c.threadsPerWorker };
  }
  try {
    return { ...(await fn(server)), ready_ms: round(server.readyMs), warm_ms: round(server.warmMs), backend: info };
  } finally {
    await server.stop();
  }
}

const backendLabel = (b: BackendInfo | undefined) =>
  !b ? "" : b.kind === "embedded" ? `embedded ${b.workers}×${b.ort_threads}` : `redis API + ${b.inference_processes}×${b.workers_per_process}${b.ort_threads > 1 ? `×${b.ort_threads}t` : ""}`;

/** --perf: the performance issue's five targets in one run (bench/perf.ts). */
async function perfMode(modelPath: string, photos: BenchImage[], started: Date) {
  const report = await runPerf({
    modelPath,
    photos,
    clients: positive("clients", args.clients),
    pollMs: positive("poll-ms", args["poll-ms"]),
    seconds: positive("seconds", args.seconds ?? (quick ? "4" : "30")),
    limitSeconds,
    parts: args.parts?.split(","),
  });
  console.log(table([["target", "goal", "reached", "met"], ...report.targets.map((t) => [t.target, t.goal, t.reached, t.met ? "yes" : "no"])]));
  console.log(`polling: ${report.polling.uploads} uploads, ${report.polling.completed} completed, ${report.polling.polls} polls (${round(report.polling.polls / Math.max(1, report.polling.completed))} per image), ${report.polling.images_per_second} img/s`);
  console.log(`poll cost: pending ${JSON.stringify(report.poll_cost.pending)}, finished ${JSON.stringify(report.poll_cost.finished_inline_image)}`);
  const out = args.out ?? join(REPO, "bench/results", `perf-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(join(out, ".."), { recursive: true });
  await Bun.write(out, `${JSON.stringify({ started: started.toISOString(), ...report }, null, 2)}\n`);
  console.log(`written: ${out}`);
}

/** --fairness: the fair queue's cost against a plain FIFO (bench/fairness.ts); on Redis too, with REDIS_URL or a throwaway redis-server. */
async function fairnessMode(modelPath: string, dog: Uint8Array, started: Date) {
  const redisUrl = (await theRedis()).url;
  const report = await runFairness({ modelPath, redisUrl, requests, concurrency: Math.min(concurrency, 16), image: dog });
  console.log(table([["queue", "clients", "waiting", "µs per task"], ...report.queues.map((q) => [q.queue, q.clients, q.waiting, q.us_per_task])]));
  console.log(table([["backend", "clients", "images/s", "POST p50 ms", "POST p95 ms", "POST p99 ms"], ...report.service.map((r) => [r.backend, r.clients, r.images_per_second, r.post_ms.p50, r.post_ms.p95, r.post_ms.p99])]));
  const out = args.out ?? join(REPO, "bench/results", `fairness-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(join(out, ".."), { recursive: true });
  await Bun.write(out, `${JSON.stringify({ started: started.toISOString(), ...report }, null, 2)}\n`);
  console.log(`written: ${out}`);
  await redis?.stop();
}

/** --rect: bare ORT at each input shape, and the service with rect off and on (bench/rect.ts). */
async function rectMode(modelPath: string, photos: BenchImage[], started: Date) {
  const report = await runRect(modelPath, photos, limitSeconds, requests, concurrency);
  console.log(table([["bare ORT shape", "img/s", "CPU ms/img"], ...report.limit.map((l) => [l.shape, l.images_per_second, l.cpu_ms_per_image])]));
  console.log(table([["service, 3:2 photos", "round", "img/s", "CPU ms/img"], ...report.service.map((s) => [`rect=${s.rect}`, s.round, s.images_per_second, s.cpu_ms_per_image])]));
  console.log(`rect speed-up on 3:2 photos: ${report.speedup}×`);
  const out = args.out ?? join(REPO, "bench/results", `rect-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(join(out, ".."), { recursive: true });
  await Bun.write(out, `${JSON.stringify({ started: started.toISOString(), ...report }, null, 2)}\n`);
  console.log(`written: ${out}`);
}

async function main() {
  const started = new Date();
  const modelPath = await resolveModel({});
  const cache = join(REPO, "bench/results/images");
  const photos = await benchImages(join(REPO, "../shared/images"), cache, ["original"]);
  const mixed = quick ? photos : await benchImages(join(REPO, "../shared/images"), cache, ["original", "1080p", "12mp"]);
  const dog = photos.find((p) => p.name.startsWith("dog"))!.bytes;
  if (args.perf) return perfMode(modelPath, photos, started);
  if (args.rect) return rectMode(modelPath, photos, started);
  // --tiles: tile off and auto on 12 MP photos (bench/tiles.ts); --requests per run (default 24), --concurrency (default 3).
  if (args.tiles) return void (await runTiles(await benchImages(join(REPO, "../shared/images"), cache, ["12mp"]), Number(args.requests ?? 24), Number(args.concurrency === "32" ? 3 : args.concurrency), started, args.out));
  if (args.fairness) return fairnessMode(modelPath, dog, started);

  // The limit is measured on this machine even with --url: the ratio is only
  // meaningful when the service runs on the same kind of machine.
  const limits: LimitResult[] = [];
  {
    const bar = progressBar("limit (bare ORT)      ");
    const layouts: [number, number][] = [[1, 2], [2, 1], [1, 1]];
    for (const [i, [s, t]] of layouts.entries()) {
      limits.push(await measureLimit(modelPath, dog, s, t, limitSeconds));
      bar.update((i + 1) / layouts.length, `${s}x${t}`);
    }
    bar.done();
  }
  let pipeline: PipelineRow[] = [];
  if (!args.url && backend !== "compare") {
    const bar = progressBar("pipeline (no load)    ");
    const dogs = mixed.filter((m) => m.name.startsWith("dog"));
    pipeline = await measurePipeline(modelPath, dogs, loadConfig({}).annotatedMaxSide, quick ? 3 : 9);
    bar.done();
  }
  const best = limits.reduce<LimitResult | undefined>((a, b) => (!a || b.imagesPerSecond > a.imagesPerSecond ? b : a), undefined);

  let service: (ServiceReport & { peak_rss_mb: number; cpu: CpuUse; ready_ms?: number; warm_ms?: number; backend?: BackendInfo })[] = [];
  if (args.url) {
    const target = { url: args.url };
    service = [await loadRun(target, photos, "photos 768x576"), ...(quick ? [] : [await loadRun(target, mixed, "mixed photo/1080p/12MP")])];
  } else if (backend !== "compare") {
    service = [
      await withServer({}, (s) => loadRun(s, photos, "photos 768x576")),
      ...(quick ? [] : [await withServer({}, (s) => loadRun(s, mixed, "mixed photo/1080p/12MP"))]),
    ];
  }

  // The same photo load, the same clients, on each backend layout in turn; rounds interleave the
  // configurations so that a machine slowing down (a shared VM) weighs on all of them alike.
  let comparison: { requests: number; concurrency: number; rounds: number; configs: CompareConfig[]; runs: CompareRun[]; summary: CompareRow[] } | undefined;
  if (backend === "compare") {
    const layouts = parseLayouts(args.layouts ?? (quick ? "1x3,2x2" : "1x3,2x2,2x3"), redisLayout.ortThreads);
    const configs: CompareConfig[] = [
      { name: `embedded ${defaults.workers}×${defaults.threadsPerWorker}`, backend: "embedded", workers: defaults.workers, ortThreads: defaults.threadsPerWorker },
      ...layouts.map((l): CompareConfig => ({ name: `redis API + ${layoutName(l)}`, backend: "redis", layout: l })),
    ];
    const runs: CompareRun[] = [];
    for (let roundNo = 1; roundNo <= rounds; roundNo++) {
      for (const c of configs) {
        const label = rounds > 1 ? `${c.name} #${roundNo}` : c.name;
        const report =
          c.backend === "redis"
            ? await withServer({}, (s) => loadRun(s, photos, label), { kind: "redis", layout: c.layout! })
            : await withServer({ WORKERS: String(c.workers), ORT_THREADS: String(c.ortThreads) }, (s) => loadRun(s, photos, label), { kind: "embedded" });
        runs.push({ config: c.name, round: roundNo, report: { ...report, images: "photos 768x576" } });
      }
    }
    comparison = { requests, concurrency, rounds, configs, runs, summary: summarizeComparison(configs, runs) };
  }

  const sweep: { layout: string; throughput: number; post_p99: number; e2e_p50: number }[] = [];
  if (args.sweep && !args.url) {
    const layouts = [[2, 1], [3, 1], [1, 2], [2, 2], [1, 1]] as const;
    for (const [w, t] of layouts) {
      const label = `${w}x${t}`;
      const r = await withServer({ WORKERS: String(w), ORT_THREADS: String(t) }, (s) => loadRun(s, photos, `sweep ${label}`));
      sweep.push({ layout: label, throughput: r.throughput, post_p99: r.post_ms.p99, e2e_p50: r.e2e_ms.p50 });
    }
  }

  let ingest: IngestReport | undefined;
  if (!quick && !args.url && backend !== "compare") {
    ingest = await withServer({}, async (s) => {
      const bar = progressBar("ingest: 64 clients    ");
      const r = await runIngest(s.url, photos, 64, 10, (f) => bar.update(f));
      bar.done();
      return r;
    });
  }

  let overload: (OverloadReport & { ttl_s: number; warmed_rss_mb: number; after_ttl_rss_mb: number; tasks_after_ttl: number }) | undefined;
  if (args.overload && !args.url) {
    const seconds = Number(args.overload);
    // A short TTL by default, so "after the TTL" comes within minutes; --ttl 300 runs the service's default.
    const ttlS = Number(args.ttl);
    overload = await withServer({ TASK_TTL_S: String(ttlS), GC_INTERVAL_S: "5" }, async (s) => {
      const warm = await loadRun(s, mixed, "overload warm-up", 60);
      const warmedRss = s.rssMb();
      const bar = progressBar("overload 2× capacity  ");
      const result = await runOverload({
        url: s.url,
        images: mixed,
        rate: 2 * warm.throughput,
        seconds,
        rssMb: s.rssMb,
        onProgress: (f, detail) => bar.update(f, detail),
      });
      bar.done();
      const wait = progressBar("waiting out the TTL   ");
      const until = performance.now() + (ttlS + 12) * 1000;
      while (performance.now() < until) {
        wait.update(1 - (until - performance.now()) / ((ttlS + 12) * 1000));
        await Bun.sleep(1000);
      }
      wait.done();
      Bun.gc(true);
      const health = (await (await fetch(`${s.url}/health`)).json()) as { tasks: Record<string, number> };
      return {
        ...result,
        ttl_s: ttlS,
        warmed_rss_mb: round(warmedRss),
        after_ttl_rss_mb: round(s.rssMb()),
        tasks_after_ttl: Object.values(health.tasks).reduce((a, b) => a + b, 0),
      };
    });
  }

  const report = {
    date: started.toISOString(),
    machine: { cores: navigator.hardwareConcurrency, cpu: cpuModel(), bun: Bun.version },
    model: modelPath,
    limit: limits.map((l) => ({ ...l, imagesPerSecond: round(l.imagesPerSecond, 2), msPerImage: round(l.msPerImage) })),
    pipeline_ms: pipeline,
    best_limit: best ? { layout: best.layout, images_per_second: round(best.imagesPerSecond, 2) } : undefined,
    backend,
    service,
    ratio_service_to_limit: best && service.length ? round(service[0].throughput / best.imagesPerSecond, 3) : undefined,
    sweep,
    ingest,
    overload,
    comparison,
  };

  const rows: (string | number)[][] = [["run", "img/s", "POST p50/p99 ms", "e2e p50/p99 ms", "codes", "peak RSS MB", "ready ms", "CPU % of one core"]];
  for (const l of report.limit) rows.push([`limit ${l.layout}`, l.imagesPerSecond, "", "", "", "", "", ""]);
  const runRow = (name: string, s: ServiceReport & { peak_rss_mb: number; ready_ms?: number; cpu: CpuUse }) => [
    name,
    s.throughput,
    `${s.post_ms.p50}/${s.post_ms.p99}`,
    `${s.e2e_ms.p50}/${s.e2e_ms.p99}`,
    JSON.stringify(s.http_codes),
    s.peak_rss_mb,
    s.ready_ms ?? "",
    [...Object.entries(s.cpu.by_role_pct), ["other", s.cpu.other_pct]].map(([k, v]) => `${k} ${Math.round(Number(v))}`).join(", "),
  ];
  for (const s of service) rows.push(runRow(s.backend?.kind === "redis" ? `${s.images} [${backendLabel(s.backend)}]` : s.images, s));
  for (const r of comparison?.runs ?? []) rows.push(runRow(rounds > 1 ? `${r.config} #${r.round}` : r.config, r.report));
  for (const s of sweep) rows.push([`sweep ${s.layout}`, s.throughput, `-/${s.post_p99}`, `${s.e2e_p50}/-`, "", "", "", ""]);
  console.log(`\n${table(rows)}`);
  for (const s of service) console.log(`phase medians (${s.images}):`, JSON.stringify(s.phase_medians_ms));
  for (const s of service.filter((x) => x.cpu.other_pct > 10)) {
    console.log(`warning: other work used ${s.cpu.other_pct}% of a core during "${s.images}"; its figures are low`);
  }
  if (pipeline.length) {
    console.log(`\n${table([["pipeline, one image at a time", "decode+letterbox", "postprocess", "annotate+encode", "all but inference", "inference"], ...pipeline.map((p) => [p.image, p.preprocess, p.postprocess, p.annotate, p.non_inference, p.inference])])}`);
  }
  if (report.ratio_service_to_limit !== undefined) console.log(`service / limit: ${report.ratio_service_to_limit}`);
  if (comparison) {
    const sign = (v: number) => (Number.isFinite(v) ? `${v > 0 ? "+" : ""}${v}%` : "-");
    console.log(
      `\nbackend comparison: photos 768x576, ${requests} uploads, ${concurrency} clients, medians of ${rounds} round(s); change vs ${comparison.configs[0].name}\n` +
        table([
          ["config", "img/s", "POST p50/p99 ms", "e2e p50/p99 ms", "img/s vs base", "POST p50/p99 vs base", "e2e p50/p99 vs base", "RSS MB"],
          ...comparison.summary.map((r) => [
            r.config,
            rounds > 1 ? `${r.throughput} (${r.throughput_by_round.join(", ")})` : r.throughput,
            `${r.post_p50}/${r.post_p99}`,
            `${r.e2e_p50}/${r.e2e_p99}`,
            sign(r.change_vs_baseline_pct.throughput),
            `${sign(r.change_vs_baseline_pct.post_p50)} / ${sign(r.change_vs_baseline_pct.post_p99)}`,
            `${sign(r.change_vs_baseline_pct.e2e_p50)} / ${sign(r.change_vs_baseline_pct.e2e_p99)}`,
            r.peak_rss_mb,
          ]),
        ]),
    );
    console.log(
      `CPU ms per image (medians): ${comparison.summary.map((r) => `${r.config}: ${Object.entries(r.cpu_ms_per_image).map(([k, v]) => `${k} ${v}`).join(", ")}`).join("; ")}`,
    );
    const disturbed = comparison.runs.filter((r) => r.report.cpu.other_pct > 10);
    if (disturbed.length) {
      console.log(`warning: other work used the CPU during ${disturbed.map((r) => `${r.config} #${r.round} (${r.report.cpu.other_pct}% of a core)`).join(", ")}; those figures are low`);
    }
    const [, sameLayout] = comparison.summary;
    if (sameLayout) {
      const fewer = (v: number) => (v >= 0 ? `${v}% fewer` : `${-v}% more`);
      console.log(
        `overhead of ${sameLayout.config} vs ${comparison.configs[0].name}: ${fewer(-sameLayout.change_vs_baseline_pct.throughput)} images/s ` +
          `(per round: ${sameLayout.overhead_by_round_pct.map(fewer).join(", ")}), e2e p50 ${sign(sameLayout.change_vs_baseline_pct.e2e_p50)}, POST p50 ${sign(sameLayout.change_vs_baseline_pct.post_p50)}`,
      );
    }
  }
  if (ingest) {
    console.log(
      `ingest (64 clients, queue full, ${ingest.seconds} s): ${ingest.posts} POSTs ${JSON.stringify(ingest.http_codes)}; ` +
        `POST p50/p99 ms all ${ingest.post_ms.p50}/${ingest.post_ms.p99}, 201 ${ingest.post_201_ms.p50}/${ingest.post_201_ms.p99}, 429 ${ingest.post_429_ms.p50}/${ingest.post_429_ms.p99}`,
    );
  }
  if (overload) {
    console.log(
      `overload: ${overload.offered} offered at ${overload.offered_rate}/s for ${overload.seconds} s → ${overload.accepted} accepted, ` +
        `${overload.rejected_429} × 429, other ${JSON.stringify(overload.other_codes)}; accepted ended ${JSON.stringify(overload.terminal)}, lost ${overload.lost}`,
    );
    console.log(
      `overload RSS MB: warmed ${overload.warmed_rss_mb}, start ${overload.rss_mb.start}, peak ${overload.rss_mb.peak}, ` +
        `end of load ${overload.rss_mb.end_of_load}, after TTL ${overload.after_ttl_rss_mb} (${overload.tasks_after_ttl} tasks left)`,
    );
  }

  const out = args.out ?? join(REPO, "bench/results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(resolve(out, ".."), { recursive: true });
  await Bun.write(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written: ${out}`);
}

function cpuModel(): string {
  try {
    return require("node:fs").readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

main()
  .then(async () => {
    await redis?.stop();
  })
  .catch(async (err) => {
    // Interrupted: the load fails as its service goes away; the signal handler is stopping everything.
    if (!wasInterrupted()) console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopEverything(); // whatever service and Redis were still up
    process.exit(wasInterrupted() ? 130 : 1);
  });
