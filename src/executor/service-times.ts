import { averageServiceMs } from "../domain/eta";

/**
 * How long a whole image takes on this process's workers: the moving average
 * over every model's runs, and each model's own (an ETA prices a task at its
 * own model's, once that model has finished a run here).
 */
export class ServiceTimes {
  /** every model's runs together, once one has finished */
  all: number | undefined = undefined;
  private readonly byModel = new Map<string, number>();

  /** One more successful whole-image run of `ms` on `model` (undefined: a model with no name). */
  record(model: string | undefined, ms: number) {
    this.all = averageServiceMs(this.all, ms);
    if (model !== undefined) this.byModel.set(model, averageServiceMs(this.byModel.get(model), ms));
  }

  /** The model's own average, else every model's. */
  of(model: string | undefined): number | undefined {
    return (model === undefined ? undefined : this.byModel.get(model)) ?? this.all;
  }

  perModel(): Record<string, number> {
    return Object.fromEntries(this.byModel);
  }
}
