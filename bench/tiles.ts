import { resolve } from "node:path";
import { round, table } from "../src/bench-kit/stats";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { runLoad } from "./load";
import { treeTicks } from "./proc";
import { startServer } from "./server";
import { writeResults } from "./results-file";

const REPO = resolve(import.meta.dir, "..");
const TICK_MS = 10;

export interface TilesReport {
  /** the service on 12 MP photos, tile off and auto, interleaved */
  service: { tile: string; round: number; images_per_second: number; cpu_ms_per_image: number; tile_phase_ms: number }[];
}

/**
 * `bun run bench --tiles`: what tiling costs on 12 MP photos (each 4000×3000
 * or so: 48 tiles of 640 plus the whole image), in the service with `tile`
 * off and auto, interleaved; `requests` images per run, `concurrency` clients.
 */
export async function runTiles(photos12mp: BenchImage[], requests: number, concurrency: number, started: Date, out?: string): Promise<TilesReport> {
  const server = await startServer(REPO, {});
  const service: TilesReport["service"] = [];
  try {
    for (const [round_, tile] of [[1, "off"], [1, "auto"], [2, "off"], [2, "auto"]] as const) {
      const bar = progressBar(`tiles: service tile=${tile.padEnd(4)}`);
      const before = treeTicks(server.pid);
      const { records, seconds } = await runLoad({ url: server.url, images: photos12mp, requests, concurrency, pollMs: 0, follow: "events", fields: { tile, annotate: "false" }, onProgress: (d, t) => bar.update(d / t) });
      bar.done();
      const done = records.filter((r) => r.status === "completed").length;
      const tilePhases = records.map((r) => r.timings?.tiles ?? 0);
      service.push({
        tile,
        round: round_,
        images_per_second: round(done / seconds, 2),
        cpu_ms_per_image: round(((treeTicks(server.pid) - before) * TICK_MS) / Math.max(1, done)),
        tile_phase_ms: round(tilePhases.reduce((a, b) => a + b, 0) / Math.max(1, tilePhases.length)),
      });
    }
  } finally {
    await server.stop();
  }
  const report = { service };
  console.log(table([["service, 12 MP photos", "round", "img/s", "CPU ms/img", "tile phase ms"], ...service.map((s) => [`tile=${s.tile}`, s.round, s.images_per_second, s.cpu_ms_per_image, s.tile_phase_ms])]));
  await writeResults("tiles-", started, { started: started.toISOString(), ...report }, out);
  return report;
}
