/**
 * The statistics `bun run bench` reports. They live in src/ rather than
 * bench/ so that tests check them without importing the bench itself.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: round(median(samples)),
    p99: round(percentile(samples, 99)),
    max: round(samples.length ? Math.max(...samples) : Number.NaN),
  };
}

export function round(v: number, digits = 1): number {
  return Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v;
}

/** Counts of each value, e.g. HTTP codes or task statuses. */
export function countBy<T extends string | number>(values: readonly T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/** A fixed-width text table for the terminal. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join("  ")).join("\n");
}
