import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { runOverload } from "./overload";
import type { MainReport } from "./print-report";
import { loadRun, withServer } from "./service-runs";

/**
 * --overload S: after a warm-up run, the mix offered open-loop at twice the
 * warm-up's throughput for S seconds; then the TTL (`ttlS`, short by default
 * so "after the TTL" comes within minutes) and one GC interval are waited
 * out, and the RSS and the tasks left are read.
 */
export async function overloadRun(mixed: BenchImage[], seconds: number, ttlS: number): Promise<NonNullable<MainReport["overload"]>> {
  return withServer({ TASK_TTL_S: String(ttlS), GC_INTERVAL_S: "5" }, async (s) => {
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
