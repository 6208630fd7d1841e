import type { FromWorker, ToWorker } from "../../src/executor/protocol";
import type { WorkerPort } from "../../src/executor/worker-slot";
import type { ModelInfo } from "../../src/model/model-info";
import type { InferenceResult } from "../../src/domain/task";

export const FAKE_MODEL: ModelInfo = { name: "fake.onnx", inputWidth: 640, inputHeight: 640, inputShapes: [{ width: 640, height: 640 }], names: ["person", "dog"], namesSource: "metadata" };

export const FAKE_RESULT: InferenceResult = {
  detections: [{ class_id: 1, class: "dog", confidence: 0.9, box: { x1: 1, y1: 2, x2: 3, y2: 4 } }],
  image: { width: 10, height: 10 },
  timings: { preprocess: 1, inference: 2, postprocess: 0, annotate: 0, total: 3 },
};

/**
 * A worker thread under the test's control: it records what it is sent and
 * answers (ready, result, failure, crash, exit) only when the test says so,
 * synchronously, as the executor's event handlers would see them.
 */
export class FakeWorker implements WorkerPort {
  readonly received: ToWorker[] = [];
  terminated = false;
  private readonly listeners: Record<string, ((e: any) => void)[]> = { message: [], error: [], close: [] };

  postMessage(message: ToWorker) {
    if (this.terminated) throw new Error("posted to a terminated worker");
    this.received.push(message);
  }

  terminate() {
    this.terminated = true;
  }

  addEventListener(type: "message" | "error" | "close", listener: (e: any) => void) {
    this.listeners[type].push(listener);
  }

  /** the run id of the last predict it was sent */
  get lastRun(): string | undefined {
    const last = this.received.findLast((m) => m.type === "predict");
    return last?.type === "predict" ? last.runId : undefined;
  }

  /** the task (job) id of the last predict: run ids are `<job id>#<n>` */
  get lastJob(): string | undefined {
    return this.lastRun?.split("#")[0];
  }

  /** the run id this worker was sent for a job */
  runOf(jobId: string): string {
    const m = this.received.findLast((m) => m.type === "predict" && m.runId.startsWith(`${jobId}#`));
    if (m?.type !== "predict") throw new Error(`never sent ${jobId}`);
    return m.runId;
  }

  answer(msg: FromWorker) {
    for (const l of this.listeners.message) l({ data: msg });
  }

  ready(warmupMs = 50) {
    this.answer({ type: "ready", models: [FAKE_MODEL], warmupMs });
  }

  /** answers the last predict, or the one for `jobId` */
  finish(jobId?: string) {
    this.answer({ type: "result", runId: jobId ? this.runOf(jobId) : this.lastRun!, result: FAKE_RESULT });
  }

  crash(message = "boom") {
    for (const l of this.listeners.error) l({ message });
  }

  exit() {
    for (const l of this.listeners.close) l({});
  }
}

/** A spawn function for the executor or the pool that keeps every worker it made, newest last. */
export function fakeSpawner() {
  const made: FakeWorker[] = [];
  return {
    made,
    spawn: () => {
      const w = new FakeWorker();
      made.push(w);
      return w;
    },
    get last() {
      return made[made.length - 1];
    },
  };
}
