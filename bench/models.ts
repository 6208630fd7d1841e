import { resolve } from "node:path";
import { round } from "../src/bench-kit/stats";
import type { BenchImage } from "./images";
import { loadRun, withServer } from "./service-runs";

/** The two shared detectors the --models run serves: the default yolov8n at 640 and YOLO11n int8 at 320. */
const SHARED_MODELS = resolve(import.meta.dir, "../../shared/models");
const ONE = `yolov8n=${resolve(SHARED_MODELS, "yolov8n.onnx")}`;
const TWO = `${ONE},yolo11n-320=${resolve(SHARED_MODELS, "yolo11n-int8-dynamic-320.onnx")}`;

export interface ModelsRow {
  run: string;
  models: string;
  /** RSS once ready, before any upload: what holding the models costs */
  idle_rss_mb: number;
  peak_rss_mb: number;
  images_per_second: number;
  cpu_ms_per_image: number;
  ready_ms: number;
  /** other work on the machine meanwhile, in % of one core: figures from a busy run compare poorly */
  other_pct: number;
}

/**
 * --models: the service with one model against the service with two (every
 * worker holds both), side by side on the shared photos: the one-model load on
 * each (what the second model costs a service that barely uses it), and a
 * mixed load (every other image names yolo11n-320).
 */
export async function runModels(photos: BenchImage[], requests: number, rounds: number): Promise<ModelsRow[]> {
  const mixed = photos.flatMap((p) => [p, { ...p, name: `${p.name}@yolo11n-320`, fields: { model: "yolo11n-320" } }]);
  const runs = [
    { run: "one model, yolov8n load", models: ONE, images: photos },
    { run: "two models, yolov8n load", models: TWO, images: photos },
    { run: "two models, mixed load", models: TWO, images: mixed },
  ];
  const rows: ModelsRow[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const { run, models, images } of runs) {
      const label = `${run}${rounds > 1 ? ` #${r}` : ""}`;
      const m = await withServer({ MODELS: models }, async (s) => ({ idle: s.rssMb(), ...(await loadRun(s, images, label, requests)) }), { kind: "embedded" });
      // % of one core over the run, per image: ms of the service's CPU per image.
      const cpuMs = ((m.cpu.by_role_pct.service ?? Number.NaN) * 10) / m.throughput;
      rows.push({ run: label, models, idle_rss_mb: round(m.idle), peak_rss_mb: m.peak_rss_mb, images_per_second: m.throughput, cpu_ms_per_image: round(cpuMs), ready_ms: m.ready_ms, other_pct: m.cpu.other_pct });
    }
  }
  return rows;
}
