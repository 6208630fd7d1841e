/**
 * One thread of the bare pipeline (bench/bare-pipeline.ts): the service's own
 * Detector, as an inference worker loads it, running the photos in turn for
 * a fixed time, with no HTTP, no queue and no messages per image.
 */
import { DEFAULT_PARAMS } from "../src/intake/detect-params";
import { loadDetector } from "../src/pipeline/load-detector";
import { probeImage } from "../src/vision/probe-image";

declare const self: Worker;

export interface BarePipelineJob {
  modelPath: string;
  annotatedMaxSide: number;
  annotate: boolean;
  photos: Uint8Array[];
  seconds: number;
}

self.onmessage = async (e: MessageEvent<BarePipelineJob>) => {
  const { modelPath, annotatedMaxSide, annotate, photos, seconds } = e.data;
  const detector = await loadDetector(modelPath, 1, { maxPixels: 1e9, timeoutSeconds: 60 }, annotatedMaxSide, () => {});
  const params = { ...DEFAULT_PARAMS, annotate };
  const sizes = await Promise.all(photos.map((p) => probeImage(p, 1e9)));
  // Every photo once untimed: each shape's first run, and the JIT, are not a steady image's cost.
  for (const [i, p] of photos.entries()) await detector.detect(p, sizes[i], params);
  self.postMessage({ type: "warm" });
  await new Promise<void>((go) => {
    self.onmessage = () => go();
  });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  // Each thread starts at another photo, so the threads do not run the same shape in step.
  for (let i = Math.floor(Math.random() * photos.length); performance.now() < end; i++) {
    const k = i % photos.length;
    await detector.detect(photos[k], sizes[k], params);
    done++;
  }
  await detector.release();
  self.postMessage({ type: "done", done });
};
