import { uploadForm } from "./upload-form";
/**
 * A separate process that uploads one image every `interval` ms and prints
 * the POST latencies as JSON: the ingestion probe of `bun run bench --perf`.
 * It runs apart from the load generator, at normal priority, so the load
 * generator's own scheduling never counts as upload latency. One upload at
 * once is not timed (a fresh process's first fetch sets up its client and
 * connection: ~20 ms that are the probe's, not the server's); timing starts
 * after `warmup` ms, once the load has ramped up and saturates the service,
 * and ends `seconds` after the start.
 * Usage: bun bench/ingest-probe.ts URL IMAGE INTERVAL_MS SECONDS WARMUP_MS
 */
const [url, imagePath, intervalMs, seconds, warmupMs] = process.argv.slice(2);
const bytes = new Uint8Array(await Bun.file(imagePath).arrayBuffer());
const start = performance.now();
const upload = async () => {
  const res = await fetch(`${url}/predict`, { method: "POST", body: uploadForm(bytes, "probe.jpg") });
  await res.arrayBuffer();
  return res.status;
};
await upload();
await Bun.sleep(Math.max(0, start + (Number(warmupMs) || 0) - performance.now()));
const samples: { code: number; ms: number }[] = [];
const end = start + Number(seconds) * 1000;
while (performance.now() < end) {
  const next = performance.now() + Number(intervalMs);
  const t0 = performance.now();
  const code = await upload();
  samples.push({ code, ms: performance.now() - t0 });
  await Bun.sleep(Math.max(0, next - performance.now()));
}
console.log(JSON.stringify(samples));
export {};
