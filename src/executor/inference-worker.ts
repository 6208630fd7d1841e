/**
 * Bun Worker entry: owns a detector per model (their ONNX sessions) for its
 * whole life. It answers `init` with `ready` after one warm-up run of each,
 * then each `predict` with exactly one `result` or `failure`, from the model
 * its parameters name (the first when they name none).
 */
import { asTaskFailure, DomainError, taskFailure } from "../domain/errors";
import type { Detector } from "../pipeline/detector";
import { loadDetector } from "../pipeline/load-detector";
import type { LogLine } from "../util/logger";
import type { FromWorker, ToWorker } from "./protocol";
import { DECODED_GARBAGE_BUDGET, DecodedGarbage, decodedBytes } from "./decoded-garbage";

declare const self: Worker;

/** by model name, in the order `init` gave them: the first is the default */
let detectors: Map<string, Detector> | undefined;
const garbage = new DecodedGarbage(DECODED_GARBAGE_BUDGET);

function reply(msg: FromWorker, transfer: Transferable[] = []) {
  self.postMessage(msg, transfer);
}

const log: LogLine = (level, msg, fields = {}) => reply({ type: "log", level, msg, fields });

async function handle(msg: ToWorker) {
  switch (msg.type) {
    case "init": {
      try {
        const loaded = new Map<string, Detector>();
        let warmupMs = 0;
        for (const model of msg.models) {
          // Which of several failed is named: the error alone would not say.
          const detector = await loadDetector(model.path, msg.threads, { maxPixels: msg.maxPixels, timeoutSeconds: msg.timeoutSeconds }, msg.annotatedMaxSide, log, model.name).catch((err: unknown) => {
            if (msg.models.length === 1) throw err;
            throw new Error(`${model.name}: ${err instanceof Error ? err.message : String(err)}`);
          });
          warmupMs += await detector.warmUp();
          loaded.set(model.name, detector);
        }
        detectors = loaded;
        reply({ type: "ready", models: [...loaded.values()].map((d) => d.info), warmupMs });
      } catch (err) {
        reply({ type: "init_failed", message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    case "predict": {
      if (!detectors) return reply({ type: "failure", runId: msg.runId, error: taskFailure.noModel() });
      const name = msg.params.model ?? detectors.keys().next().value!;
      const detector = detectors.get(name);
      if (!detector) return reply({ type: "failure", runId: msg.runId, error: taskFailure.modelNotHeld(name) });
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
