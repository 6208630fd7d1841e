/**
 * Completions per second over a sliding window, for the live panel's chart:
 * one counter per wall-clock second, older ones dropped. Time comes in as
 * milliseconds, so it is tested with literal times.
 */
export class Throughput {
  private readonly counts = new Map<number, number>();

  constructor(readonly windowS: number) {}

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.counts.set(second, (this.counts.get(second) ?? 0) + 1);
    this.prune(second);
  }

  /** Counts for the last `windowS` whole seconds, oldest first; the second now under way is not in it yet. */
  series(nowMs: number): number[] {
    const current = Math.floor(nowMs / 1000);
    this.prune(current);
    return Array.from({ length: this.windowS }, (_, i) => this.counts.get(current - this.windowS + i) ?? 0);
  }

  /** The series and its mean (completions per second over the window), from one pass over the counters. */
  reading(nowMs: number): { series: number[]; perSecond: number } {
    const series = this.series(nowMs);
    return { series, perSecond: series.reduce((a, b) => a + b, 0) / this.windowS };
  }

  private prune(current: number) {
    for (const second of this.counts.keys()) if (second < current - this.windowS) this.counts.delete(second);
  }
}
