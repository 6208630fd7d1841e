import type { Rate } from "../domain/eta";
import type { ModelInfo } from "../model/model-info";
import type { WorkerStatus } from "./worker-pool";

/** What a backend reads of the local inference for health, metrics and ETA. */
export interface InferenceStats {
  /** the models, the default first, once a worker has loaded them */
  readonly models: ModelInfo[] | undefined;
  /** the model is warm in at least one worker */
  readonly ready: boolean;
  readonly warmupMs: number | undefined;
  /** moving average of how long a successful whole-image job runs (tiles aside), once one has: any model's */
  readonly serviceMs: number | undefined;
  /** workers replaced after a crash, a failed start or a timeout */
  readonly failures: number;
  /** `model`: priced at that model's own average, once it has one */
  rate(model?: string): Rate;
  /** each model's own average, by name, once it has one */
  serviceMsByModel(): Record<string, number>;
  workers(): WorkerStatus[];
}
