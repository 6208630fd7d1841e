/**
 * Bun Worker entry: owns one ONNX session for its whole life. It answers
 * `init` with `ready` after one warm-up run, then each `predict` with exactly
 * one `result` or `failure`.
 */
import { asTaskFailure, DomainError, taskFailure } from "../domain/errors";
import type { Detector } from "../pipeline/detector";
import { loadDetector } from "../pipeline/load-detector";
import type { LogLine } from "../util/logger";
import type { FromWorker, ToWorker } from "./protocol";
import { DECODED_GARBAGE_BUDGET, DecodedGarbage, decodedBytes } from "./decoded-garbage";

declare const self: Worker;

let detector: Detector | undefined;
const garbage = new DecodedGarbage(DECODED_GARBAGE_BUDGET);

function reply(msg: FromWorker, transfer: Transferable[] = []) {
  self.postMessage(msg, transfer);
}

const log: LogLine = (level, msg, fields = {}) => reply({ type: "log", level, msg, fields });

async function handle(msg: ToWorker) {
  switch (msg.type) {
    case "init": {
      try {
        detector = await loadDetector(msg.modelPath, msg.threads, { maxPixels: msg.maxPixels, timeoutSeconds: msg.timeoutSeconds }, msg.annotatedMaxSide, log);
        const warmupMs = await detector.warmUp();
        reply({ type: "ready", model: detector.info, warmupMs });
      } catch (err) {
        reply({ type: "init_failed", message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    case "predict": {
      if (!detector) return reply({ type: "failure", runId: msg.runId, error: taskFailure.noModel() });
      try {
        const result = await detector.detect(new Uint8Array(msg.image), msg.size, msg.params, msg);
        const transfer = result.annotated ? [result.annotated.buffer as ArrayBuffer] : [];
        reply({ type: "result", runId: msg.runId, result }, transfer);
      } catch (err) {
        // A domain error (bad pixels) is the client's answer; anything else is ours, and logged.
        if (!(err instanceof DomainError)) log("error", "inference error", { run_id: msg.runId, error: String(err) });
        reply({ type: "failure", runId: msg.runId, error: asTaskFailure(err) });
      }
      // After the answer is on its way: the next run waits for the collection, this one does not.
      if (garbage.decoded(decodedBytes(msg))) Bun.gc(true);
      return;
    }
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  void handle(event.data);
};
