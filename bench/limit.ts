import { letterboxTensor } from "../src/detect/tensor";
import { openOnnxSession } from "../src/model/onnx-session";
import { letterboxGeometry } from "../src/detect/letterbox";
import { decodeUpright } from "../src/vision/decode";
import { probeImage } from "../src/vision/probe-image";
import { MS_PER_TICK, ticksOf } from "./proc";

export interface LimitResult {
  layout: string;
  sessions: number;
  threads: number;
  imagesPerSecond: number;
  msPerImage: number;
  /** CPU the sessions' process spent per image while timed (all its threads), in ms */
  cpuMsPerImage: number;
}

/**
 * What the hardware can do: ONNX Runtime alone on an already letterboxed
 * tensor, no HTTP, no decoding. Each of `sessions` sessions runs in its own
 * thread (one JS thread runs one session at a time), with `threads` intra-op
 * threads each.
 */
export async function measureLimit(modelPath: string, image: Uint8Array, sessions: number, threads: number, seconds: number): Promise<LimitResult> {
  const model = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const probe = await openOnnxSession(model, 1);
  const [, , h, w] = probe.io.inputShape;
  await probe.release();
  const upright = await probeImage(image, 1e9);
  const decoded = await decodeUpright(image, 0, { maxPixels: 1e9, timeoutSeconds: 60 });
  const geometry = letterboxGeometry(upright.width, upright.height, w, h);
  const tensor = letterboxTensor(decoded, geometry);
  const workers = Array.from({ length: sessions }, () => new Worker(new URL("./limit-worker.ts", import.meta.url)));
  const next = (wk: Worker) => new Promise<any>((res) => wk.addEventListener("message", (e) => res(e.data), { once: true }));
  const warm = workers.map(next);
  for (const wk of workers) wk.postMessage({ model, threads, tensor, dims: [1, 3, h, w], seconds });
  await Promise.all(warm);
  const finished = workers.map(next);
  const ticks0 = ticksOf(process.pid);
  const t0 = performance.now();
  for (const wk of workers) wk.postMessage("go");
  const counts = await Promise.all(finished);
  const elapsed = (performance.now() - t0) / 1000;
  const cpuMs = (ticksOf(process.pid) - ticks0) * MS_PER_TICK;
  // Terminated only after each answered "done": never while native work runs.
  for (const wk of workers) wk.terminate();
  const done = counts.reduce((n, c) => n + c.done, 0);
  return { layout: `${sessions}x${threads}`, sessions, threads, imagesPerSecond: done / elapsed, msPerImage: (elapsed * 1000 * sessions) / done, cpuMsPerImage: cpuMs / done };
}
