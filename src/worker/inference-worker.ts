/**
 * Bun Worker entry: owns one ONNX session for its whole life. It answers
 * `init` with `ready` after one warm-up run, then each `predict` with exactly
 * one `result` or `failure`.
 */
import { Detector } from "../detect/detector";
import { DomainError } from "../domain/errors";
import { loadDetector } from "../model/load-detector";
import type { FromWorker, ToWorker } from "./protocol";

declare const self: Worker;

let detector: Detector | undefined;

function reply(msg: FromWorker, transfer: Transferable[] = []) {
  self.postMessage(msg, transfer);
}

async function handle(msg: ToWorker) {
  switch (msg.type) {
    case "init": {
      try {
        detector = await loadDetector(msg.modelPath, msg.threads, { maxPixels: msg.maxPixels, timeoutSeconds: msg.timeoutSeconds }, msg.annotatedMaxSide);
        const warmupMs = await detector.warmUp();
        reply({ type: "ready", model: detector.info, warmupMs });
      } catch (err) {
        reply({ type: "init_failed", message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    case "predict": {
      if (!detector) {
        reply({ type: "failure", taskId: msg.taskId, error: { code: "inference_failed", message: "The worker has no model loaded." } });
        return;
      }
      try {
        const { input } = msg;
        const result =
          input.kind === "bytes"
            ? await detector.detect(new Uint8Array(input.image), msg.size, msg.params)
            : await detector.finish(
                {
                  tensor: new Float32Array(input.tensor),
                  image: { data: Buffer.from(input.pixels), width: input.width, height: input.height },
                  geometry: input.geometry,
                  ms: input.ms,
                },
                msg.size,
                msg.params,
              );
        const transfer = result.annotated ? [result.annotated.buffer as ArrayBuffer] : [];
        reply({ type: "result", taskId: msg.taskId, result }, transfer);
      } catch (err) {
        const error =
          err instanceof DomainError
            ? { code: err.code, message: err.message }
            : { code: "inference_failed" as const, message: "Inference failed on this image." };
        if (!(err instanceof DomainError)) console.error(JSON.stringify({ level: "error", msg: "inference error", task_id: msg.taskId, error: String(err) }));
        reply({ type: "failure", taskId: msg.taskId, error });
      }
      return;
    }
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  void handle(event.data);
};
