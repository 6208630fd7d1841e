import type { BenchImage } from "./images";
import { countBy, summarize, type Summary } from "../src/bench-kit/stats";
import { uploadForm } from "./upload-form";

export interface IngestReport {
  clients: number;
  seconds: number;
  posts: number;
  http_codes: Record<string, number>;
  post_ms: Summary;
  /** latency of the uploads that were accepted (201) */
  post_201_ms: Summary;
  post_429_ms: Summary;
}

/**
 * Ingestion under a full queue: `clients` loops upload back to back for
 * `seconds` without waiting for results, so the queue stays full and most
 * answers are 429. Measures how long POST /predict takes meanwhile.
 */
export async function runIngest(url: string, images: readonly BenchImage[], clients: number, seconds: number, onProgress?: (f: number) => void): Promise<IngestReport> {
  const samples: { code: number; ms: number }[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const progress = setInterval(() => onProgress?.(1 - (end - performance.now()) / (seconds * 1000)), 500);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const image = images[n++ % images.length];
        const form = uploadForm(image.bytes, `${image.name}.jpg`);
        const t0 = performance.now();
        const res = await fetch(`${url}/predict`, { method: "POST", body: form });
        await res.arrayBuffer();
        samples.push({ code: res.status, ms: performance.now() - t0 });
      }
    }),
  );
  clearInterval(progress);
  const of = (code: number) => samples.filter((s) => s.code === code).map((s) => s.ms);
  return {
    clients,
    seconds,
    posts: samples.length,
    http_codes: countBy(samples.map((s) => s.code)),
    post_ms: summarize(samples.map((s) => s.ms)),
    post_201_ms: summarize(of(201)),
    post_429_ms: summarize(of(429)),
  };
}
