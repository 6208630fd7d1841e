import { loadDetector } from "../src/pipeline/load-detector";
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { probeImage } from "../src/vision/probe-image";
import { median, round } from "../src/bench-kit/stats";
import { IMGSZ } from "../src/domain/knobs";
import type { BenchImage } from "./images";

export interface ImgszRow {
  imgsz: number;
  /** the input the image ran at (rect on, the default) */
  input: string;
  /** median wall time of one detect call, annotate off */
  ms: number;
  /** this process's RSS after those runs (and a full collection) */
  rss_mb: number;
}

/**
 * --imgsz: one detector in this thread (the free-shape yolov8n) over one
 * photo at the model's own size, the smallest and the largest imgsz, and its
 * own size again: what each size costs, and the memory a large one leaves in
 * ONNX Runtime's arena (RSS after each size, not lower once a larger one ran).
 */
export async function runImgsz(modelPath: string, photo: BenchImage, runs: number): Promise<ImgszRow[]> {
  const detector = await loadDetector(modelPath, 1, { maxPixels: 1e9, timeoutSeconds: 60 }, 0, () => {});
  await detector.warmUp();
  const upright = await probeImage(photo.bytes, 1e9);
  const rows: ImgszRow[] = [];
  for (const imgsz of [0, IMGSZ.min, 0, IMGSZ.max, 0]) {
    const params = { ...DEFAULT_PARAMS, imgsz, annotate: false };
    const first = await detector.detect(photo.bytes, upright, params); // the shape's first run opens what it needs
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await detector.detect(photo.bytes, upright, params);
      times.push(performance.now() - t0);
    }
    Bun.gc(true);
    const input = first.input_size ? `${first.input_size.width}x${first.input_size.height}` : "?";
    rows.push({ imgsz, input, ms: round(median(times), 1), rss_mb: round(process.memoryUsage().rss / 1048576) });
  }
  await detector.release();
  return rows;
}
