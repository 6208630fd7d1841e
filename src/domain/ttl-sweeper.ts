import type { Cancel, Clock } from "./clock";
import { isTerminal } from "./task";
import type { TaskStore } from "./task-store";

/**
 * Removes finished tasks nobody has touched for `ttlMs`. Pending and processing
 * tasks are never collected, however old: a client is still owed their result.
 */
export function sweepExpired(store: TaskStore, now: number, ttlMs: number): string[] {
  const removed: string[] = [];
  for (const task of store.values()) {
    if (isTerminal(task.status) && now - task.updatedAt >= ttlMs) removed.push(task.id);
  }
  for (const id of removed) store.delete(id);
  return removed;
}

/** sweepExpired every `intervalMs` on the injected clock (GC_INTERVAL_S), so tests drive it with a fake one. */
export class TtlSweeper {
  private cancel?: Cancel;

  constructor(
    private readonly store: TaskStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly intervalMs: number,
    private readonly onSweep: (removed: string[]) => void = () => {},
  ) {}

  start() {
    this.stop();
    this.cancel = this.clock.setInterval(() => this.sweep(), this.intervalMs);
  }

  sweep(): string[] {
    const removed = sweepExpired(this.store, this.clock.now(), this.ttlMs);
    if (removed.length) this.onSweep(removed);
    return removed;
  }

  stop() {
    this.cancel?.();
    this.cancel = undefined;
  }
}
