import { uploadForm } from "./upload-form";
/**
 * A separate process that uploads one image every `interval` ms for `seconds`
 * and prints the POST latencies as JSON: the ingestion probe of `bun run bench
 * --perf`. It runs apart from the load generator, at normal priority, so the
 * load generator's own scheduling never counts as upload latency.
 * Usage: bun bench/ingest-probe.ts URL IMAGE INTERVAL_MS SECONDS
 */
const [url, imagePath, intervalMs, seconds] = process.argv.slice(2);
const bytes = new Uint8Array(await Bun.file(imagePath).arrayBuffer());
const samples: { code: number; ms: number }[] = [];
const end = performance.now() + Number(seconds) * 1000;
while (performance.now() < end) {
  const next = performance.now() + Number(intervalMs);
  const form = uploadForm(bytes, "probe.jpg");
  const t0 = performance.now();
  const res = await fetch(`${url}/predict`, { method: "POST", body: form });
  await res.arrayBuffer();
  samples.push({ code: res.status, ms: performance.now() - t0 });
  await Bun.sleep(Math.max(0, next - performance.now()));
}
console.log(JSON.stringify(samples));
export {};
