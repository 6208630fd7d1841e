import { args, concurrency, defaults, quick, redisLayout, requests, rounds } from "./args";
import { type CompareConfig, type CompareRun, parseLayouts, summarizeComparison } from "./compare";
import type { BenchImage } from "./images";
import type { MainReport } from "./print-report";
import { layoutName } from "./redis-service";
import { loadRun, withServer } from "./service-runs";

/**
 * --backend compare: the same photo load, the same clients, on embedded (its
 * default layout) and on each Redis layout in turn; rounds interleave the
 * configurations so that a machine slowing down (a shared VM) weighs on all of them alike.
 */
export async function compareBackends(photos: BenchImage[]): Promise<NonNullable<MainReport["comparison"]>> {
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
  return { requests, concurrency, rounds, configs, runs, summary: summarizeComparison(configs, runs) };
}
