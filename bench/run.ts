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
 *   --perf (issue 26's targets and the earlier rounds': bare ORT at 640×640 (its best layout)
 *   and at the default's shape for each shared photo, the bare pipeline over the service's
 *   modules, --clients C (64) polling every --poll-ms P (50) for --seconds S (30) with a
 *   separate upload probe, event-stream clients with the default and rect=off, and the CPU
 *   of a poll; each service run's CPU per image by thread; bench/perf.ts;
 *   --parts limit,shapes,pipeline,polling,events,poll-cost runs only those; the bare pipeline and
 *   bare ORT are measured again after the service runs, and the targets use the mean),
 *   --rect (bare ORT at each landscape input shape; the service with rect off and on over the
 *   shared photos, twice, and the CPU per image of one over the other; bench/rect.ts),
 *   --tiles (tile=off against tile=auto on 12 MP photos: img/s, CPU per image; bench/tiles.ts),
 *   --fairness (the fair queue against a plain FIFO: the queues alone, then the
 *   service with one client against --concurrency clients; bench/fairness.ts),
 *   --models (one model against two held by every worker: idle and peak RSS,
 *   img/s and CPU per image on the one-model load and on a mixed one; bench/models.ts),
 *   --imgsz (one detector on dog.jpg at its own size, the smallest and the largest imgsz:
 *   ms per image and the RSS each size leaves; bench/imgsz.ts).
 * Backends: --backend embedded (default) | redis | compare.
 *   redis: the service runs as one API replica (start:prod, QUEUE_BACKEND=redis,
 *   WORKERS=0) and --inference-processes N (default 1) `bun run inference:prod`
 *   processes of --workers-per-process W workers (default: the service's default
 *   WORKERS) × --ort-threads T, on REDIS_URL or a throwaway redis-server.
 *   compare: the same photo load on embedded (default layout) and on Redis with
 *   each of --layouts (default 1x3,2x2,2x3: processes × workers), --rounds R
 *   times interleaved; reports medians and the change against embedded.
 */
import { join, resolve } from "node:path";
import { resolveModel } from "../src/model/resolve-model";
import { progressBar } from "../src/util/progress";
import { round } from "../src/bench-kit/stats";
import { args, backend, defaults, limitSeconds, quick } from "./args";
import { benchImages } from "./images";
import { type LimitResult, measureLimit } from "./limit";
import { measurePipeline, type PipelineRow } from "./pipeline";
import { type IngestReport, runIngest } from "./ingest";
import { overloadRun } from "./overload-run";
import { stopEverything, wasInterrupted } from "./children";
import { compareBackends } from "./compare-backends";
import { fairnessMode, imgszMode, modelsMode, perfMode, rectMode, tilesMode } from "./focused-modes";
import { type MainReport, printReport, type ServiceRun } from "./print-report";
import { writeResults } from "./results-file";
import { loadRun, stopRedis, withServer } from "./service-runs";

const REPO = resolve(import.meta.dir, "..");

async function main() {
  const started = new Date();
  const modelPath = await resolveModel({});
  const cache = join(REPO, "bench/results/images");
  const photos = await benchImages(join(REPO, "../shared/images"), cache, ["original"]);
  const dog = photos.find((p) => p.name.startsWith("dog"))!.bytes;
  if (args.perf) return perfMode(modelPath, photos, started);
  if (args.rect) return rectMode(modelPath, photos, started);
  if (args.tiles) return tilesMode(await benchImages(join(REPO, "../shared/images"), cache, ["12mp"]), started);
  if (args.fairness) return fairnessMode(modelPath, dog, started);
  if (args.models) return modelsMode(photos, started);
  if (args.imgsz) return imgszMode(modelPath, photos.find((p) => p.name.startsWith("dog"))!, started);
  const mixed = quick ? photos : await benchImages(join(REPO, "../shared/images"), cache, ["original", "1080p", "12mp"]);

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
    pipeline = await measurePipeline(modelPath, dogs, defaults.annotatedMaxSide, quick ? 3 : 9);
    bar.done();
  }
  const best = limits.reduce<LimitResult | undefined>((a, b) => (!a || b.imagesPerSecond > a.imagesPerSecond ? b : a), undefined);

  let service: ServiceRun[] = [];
  if (args.url) {
    const target = { url: args.url };
    service = [await loadRun(target, photos, "photos 768x576"), ...(quick ? [] : [await loadRun(target, mixed, "mixed photo/1080p/12MP")])];
  } else if (backend !== "compare") {
    service = [
      await withServer({}, (s) => loadRun(s, photos, "photos 768x576")),
      ...(quick ? [] : [await withServer({}, (s) => loadRun(s, mixed, "mixed photo/1080p/12MP"))]),
    ];
  }

  const comparison = backend === "compare" ? await compareBackends(photos) : undefined;

  const sweep: MainReport["sweep"] = [];
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

  // A short TTL by default (--ttl, 60 s); --ttl 300 runs the service's default.
  const overload = args.overload && !args.url ? await overloadRun(mixed, Number(args.overload), Number(args.ttl)) : undefined;

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

  printReport(report);
  await writeResults("", started, report, args.out);
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
    await stopRedis();
  })
  .catch(async (err) => {
    // Interrupted: the load fails as its service goes away; the signal handler is stopping everything.
    if (!wasInterrupted()) console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopEverything(); // whatever service and Redis were still up
    process.exit(wasInterrupted() ? 130 : 1);
  });
