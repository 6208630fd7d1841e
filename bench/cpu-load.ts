import type { RequestRecord } from "../src/bench-kit/report";
import { round } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { runLoad } from "./load";
import { MS_PER_TICK, treeTicks } from "./proc";
import type { BenchServer } from "./server";

export interface CpuLoadResult {
  images_per_second: number;
  /** CPU of the service's whole process tree per completed image */
  cpu_ms_per_image: number;
  records: RequestRecord[];
}

/**
 * `requests` uploads from `concurrency` clients that follow their tasks over
 * SSE (they cost the box little, so the service's own cost shows), against a
 * service the caller started: images per second, and the service's CPU per
 * completed image read from /proc.
 */
export async function cpuLoad(
  server: Pick<BenchServer, "url" | "pid">,
  o: { label: string; images: BenchImage[]; requests: number; concurrency: number; fields?: Record<string, string> },
): Promise<CpuLoadResult> {
  const bar = progressBar(o.label);
  const before = treeTicks(server.pid);
  const { records, seconds } = await runLoad({ url: server.url, images: o.images, requests: o.requests, concurrency: o.concurrency, pollMs: 0, follow: "events", fields: o.fields, onProgress: (d, t) => bar.update(d / t) });
  bar.done();
  const done = records.filter((r) => r.status === "completed").length;
  return { images_per_second: round(done / seconds, 2), cpu_ms_per_image: round(((treeTicks(server.pid) - before) * MS_PER_TICK) / Math.max(1, done)), records };
}
