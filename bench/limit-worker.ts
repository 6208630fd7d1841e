/** One ONNX session in its own thread, running a fixed tensor for a fixed time: the limit's unit of work. */
import { openOnnxSession } from "../src/model/onnx-session";

declare const self: Worker;

self.onmessage = async (e: MessageEvent<{ model: Uint8Array; threads: number; tensor: Float32Array; dims: number[]; seconds: number }>) => {
  const { model, threads, tensor, dims, seconds } = e.data;
  const session = await openOnnxSession(model, threads);
  await session.run(tensor, dims); // warm-up
  self.postMessage({ type: "warm" });
  // Wait for the go signal so all sessions start together.
  await new Promise<void>((go) => {
    self.onmessage = () => go();
  });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await session.run(tensor, dims);
    done++;
  }
  await session.release();
  self.postMessage({ type: "done", done });
};
