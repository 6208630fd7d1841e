import { resolve } from "node:path";
import { round } from "../src/bench-kit/stats";
import type { BenchImage } from "./images";
import { cpuLoad } from "./cpu-load";
import { startServer } from "./server";

const REPO = resolve(import.meta.dir, "..");

export interface TilesReport {
  /** the service on 12 MP photos, tile off and auto, interleaved */
  service: { tile: string; round: number; images_per_second: number; cpu_ms_per_image: number; tile_phase_ms: number }[];
}

/**
 * `bun run bench --tiles`: what tiling costs on 12 MP photos (each 4000×3000
 * or so: 48 tiles of 640 plus the whole image), in the service with `tile`
 * off and auto, interleaved; `requests` images per run, `concurrency` clients.
 */
export async function runTiles(photos12mp: BenchImage[], requests: number, concurrency: number): Promise<TilesReport> {
  const server = await startServer(REPO, {});
  const service: TilesReport["service"] = [];
  try {
    for (const [round_, tile] of [[1, "off"], [1, "auto"], [2, "off"], [2, "auto"]] as const) {
      const run = await cpuLoad(server, { label: `tiles: service tile=${tile.padEnd(4)}`, images: photos12mp, requests, concurrency, fields: { tile, annotate: "false" } });
      const tilePhases = run.records.map((r) => r.timings?.tiles ?? 0);
      service.push({
        tile,
        round: round_,
        images_per_second: run.images_per_second,
        cpu_ms_per_image: run.cpu_ms_per_image,
        tile_phase_ms: round(tilePhases.reduce((a, b) => a + b, 0) / Math.max(1, tilePhases.length)),
      });
    }
  } finally {
    await server.stop();
  }
  return { service };
}
