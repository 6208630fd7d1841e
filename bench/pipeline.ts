import { loadDetector } from "../src/pipeline/load-detector";
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { probeImage } from "../src/vision/probe-image";
import type { BenchImage } from "./images";
import { median, round } from "../src/bench-kit/stats";
import { jsonLogger } from "../src/util/logger";

/** The workers' log lines, if any: on stderr, beside the progress bars, away from the report. */
const benchLog = jsonLogger("warn", (line) => process.stderr.write(`${line}\n`));

export interface PipelineRow {
  image: string;
  /** decode + letterbox + CHW */
  preprocess: number;
  postprocess: number;
  /** drawing + JPEG encode */
  annotate: number;
  /** everything but the model call: the "decode + letterbox + postprocess + annotate + encode" */
  non_inference: number;
  inference: number;
}

/**
 * The per-image pipeline in this thread, one image at a time, no HTTP and no
 * other load: medians over `runs` runs of each image, by phase.
 */
export async function measurePipeline(modelPath: string, images: readonly BenchImage[], annotatedMaxSide: number, runs = 9): Promise<PipelineRow[]> {
  const detector = await loadDetector(modelPath, 1, { maxPixels: 1e9, timeoutSeconds: 60 }, annotatedMaxSide, (level, msg, fields) => benchLog[level](msg, fields));
  const rows: PipelineRow[] = [];
  for (const img of images) {
    const upright = await probeImage(img.bytes, 1e9);
    await detector.detect(img.bytes, upright, DEFAULT_PARAMS); // warm-up
    const t: Record<string, number[]> = { preprocess: [], postprocess: [], annotate: [], inference: [] };
    for (let i = 0; i < runs; i++) {
      const r = await detector.detect(img.bytes, upright, DEFAULT_PARAMS);
      for (const k of Object.keys(t)) t[k].push(r.timings[k as keyof typeof r.timings] ?? 0);
    }
    const m = (k: string) => round(median(t[k]), 1);
    rows.push({
      image: img.name,
      preprocess: m("preprocess"),
      postprocess: m("postprocess"),
      annotate: m("annotate"),
      non_inference: round(m("preprocess") + m("postprocess") + m("annotate"), 1),
      inference: m("inference"),
    });
  }
  await detector.release();
  return rows;
}
