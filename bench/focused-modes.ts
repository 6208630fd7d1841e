import { table } from "../src/bench-kit/stats";
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { args, concurrency, defaults, limitSeconds, positive, quick, requests } from "./args";
import { runFairness } from "./fairness";
import type { BenchImage } from "./images";
import { PERF_PARTS, runPerf } from "./perf";
import { printPerf } from "./print-perf";
import { runRect } from "./rect";
import { runTiles } from "./tiles";
import { runModels } from "./models";
import { runImgsz } from "./imgsz";
import { writeResults } from "./results-file";
import { theRedis } from "./service-runs";

/** --perf: issue 26's targets, and the earlier rounds', in one run (bench/perf.ts). */
export async function perfMode(modelPath: string, photos: BenchImage[], started: Date) {
  const unknown = args.parts?.split(",").filter((p) => !(PERF_PARTS as readonly string[]).includes(p));
  if (unknown?.length) {
    console.error(`bench: --parts takes ${PERF_PARTS.join(",")} (got ${unknown.join(",")})`);
    process.exit(2);
  }
  const report = await runPerf({
    modelPath,
    photos,
    clients: positive("clients", args.clients),
    pollMs: positive("poll-ms", args["poll-ms"]),
    seconds: positive("seconds", args.seconds ?? (quick ? "4" : "30")),
    limitSeconds,
    workers: defaults.workers,
    annotatedMaxSide: defaults.annotatedMaxSide,
    annotate: DEFAULT_PARAMS.annotate,
    parts: args.parts?.split(","),
  });
  printPerf(report);
  await writeResults("perf-", started, { started: started.toISOString(), ...report }, args.out);
}

/** --fairness: the fair queue's cost against a plain FIFO (bench/fairness.ts); on Redis too, with REDIS_URL or a throwaway redis-server. */
export async function fairnessMode(modelPath: string, dog: Uint8Array, started: Date) {
  const redisUrl = (await theRedis()).url;
  const report = await runFairness({ modelPath, redisUrl, requests, concurrency: Math.min(concurrency, 16), image: dog });
  console.log(table([["queue", "clients", "waiting", "µs per task"], ...report.queues.map((q) => [q.queue, q.clients, q.waiting, q.us_per_task])]));
  console.log(table([["backend", "clients", "images/s", "POST p50 ms", "POST p95 ms", "POST p99 ms"], ...report.service.map((r) => [r.backend, r.clients, r.images_per_second, r.post_ms.p50, r.post_ms.p95, r.post_ms.p99])]));
  await writeResults("fairness-", started, { started: started.toISOString(), ...report }, args.out);
}

/** --tiles: tile off and auto on 12 MP photos (bench/tiles.ts); --requests per run (default 24), --concurrency (default 3). */
export async function tilesMode(photos12mp: BenchImage[], started: Date) {
  const report = await runTiles(photos12mp, Number(args.requests ?? 24), Number(args.concurrency ?? 3));
  console.log(table([["service, 12 MP photos", "round", "img/s", "CPU ms/img", "tile phase ms"], ...report.service.map((s) => [`tile=${s.tile}`, s.round, s.images_per_second, s.cpu_ms_per_image, s.tile_phase_ms])]));
  await writeResults("tiles-", started, { started: started.toISOString(), ...report }, args.out);
}

/** --rect: bare ORT at each input shape, and the service with each rect mode (bench/rect.ts). */
export async function rectMode(modelPath: string, photos: BenchImage[], started: Date) {
  const report = await runRect(modelPath, photos, limitSeconds, requests, concurrency);
  console.log(table([["bare ORT shape", "img/s", "CPU ms/img"], ...report.limit.map((l) => [l.shape, l.images_per_second, l.cpu_ms_per_image])]));
  console.log(table([["service, shared photos", "round", "img/s", "CPU ms/img"], ...report.service.map((s) => [`rect=${s.rect}`, s.round, s.images_per_second, s.cpu_ms_per_image])]));
  console.log(`CPU per image, rect=off over rect=on (the default): ${report.cpu_ratio_off_to_on}×`);
  await writeResults("rect-", started, { started: started.toISOString(), ...report }, args.out);
}

/** --models: one model against two in every worker, on the one-model load and a mixed one (bench/models.ts); --requests per run (default 120), --rounds. */
export async function modelsMode(photos: BenchImage[], started: Date) {
  const rows = await runModels(photos, Number(args.requests ?? (quick ? 12 : 120)), positive("rounds", args.rounds));
  console.log(table([["run", "idle RSS MB", "peak RSS MB", "img/s", "CPU ms/img", "ready ms", "other work %"], ...rows.map((r) => [r.run, r.idle_rss_mb, r.peak_rss_mb, r.images_per_second, r.cpu_ms_per_image, r.ready_ms, r.other_pct])]));
  await writeResults("models-", started, { started: started.toISOString(), runs: rows }, args.out);
}

/** --imgsz: one detector at its own size, the smallest and the largest imgsz, on dog.jpg (bench/imgsz.ts); --requests runs per size (default 9). */
export async function imgszMode(modelPath: string, dog: BenchImage, started: Date) {
  const rows = await runImgsz(modelPath, dog, Number(args.requests ?? (quick ? 3 : 9)));
  console.log(table([["imgsz (0: own)", "input", "ms per image", "RSS MB after"], ...rows.map((r) => [r.imgsz, r.input, r.ms, r.rss_mb])]));
  await writeResults("imgsz-", started, { started: started.toISOString(), image: dog.name, runs: rows }, args.out);
}
