/**
 * The real inference worker with faults on demand, chosen by a knob value no
 * real client would send together with the fault: max_det 299 crashes the
 * worker thread (uncaught error), 297 makes it exit, 298 hangs it (never answers),
 * 296 holds it SLOW_MS before running the image (a worker busy for a known time).
 */
import "../../src/executor/inference-worker";
import type { ToWorker } from "../../src/executor/protocol";

declare const self: Worker;

export const CRASH_MAX_DET = 299;
export const HANG_MAX_DET = 298;
export const EXIT_MAX_DET = 297;
export const SLOW_MAX_DET = 296;
export const SLOW_MS = 4000;

const real = self.onmessage!;
self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === "predict" && msg.params.maxDet === CRASH_MAX_DET) throw new Error("simulated crash");
  if (msg.type === "predict" && msg.params.maxDet === HANG_MAX_DET) return;
  if (msg.type === "predict" && msg.params.maxDet === EXIT_MAX_DET) process.exit(3);
  if (msg.type === "predict" && msg.params.maxDet === SLOW_MAX_DET) return void setTimeout(() => real.call(self, event), SLOW_MS);
  real.call(self, event);
};
