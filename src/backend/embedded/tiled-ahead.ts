import { type HeavyTask, heavyTaskOf } from "../../domain/eta";
import type { Task } from "../../domain/task";

/**
 * The open tasks of this process that take more than one model run (tiled):
 * how many runs each, so a task queued behind them is told its wait in runs,
 * not in tasks (domain/eta.ts, extraRunsAhead). Few at a time: a tiled task
 * is a large photo sent with `tile`.
 */
export class TiledAhead {
  private readonly runs = new Map<string, number>();

  /** A task just queued, with its runs (executor/tiled-detection.ts, runsOf). */
  add(id: string, runs: number): void {
    if (runs > 1) this.runs.set(id, runs);
  }

  /** A task that ended, or left the queue. */
  remove(id: string): void {
    this.runs.delete(id);
  }

  /** Each open one as it stands: pending at its position, or processing since it started. */
  list(taskOf: (id: string) => Task | undefined, positionOf: (id: string) => number): HeavyTask[] {
    const out: HeavyTask[] = [];
    for (const [id, runs] of this.runs) {
      const task = taskOf(id);
      const open = task && heavyTaskOf(task, runs, positionOf(id));
      if (open) out.push(open);
    }
    return out;
  }
}
