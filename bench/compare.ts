import type { CpuUse } from "./proc";
import type { ServiceReport } from "../src/bench-kit/report";
import { median, round } from "../src/bench-kit/stats";
import type { RedisLayout } from "./redis-service";
import type { LoadRunReport } from "./service-runs";

/** One configuration of the backend comparison. */
export interface CompareConfig {
  name: string;
  backend: "embedded" | "redis";
  /** embedded: WORKERS × ORT_THREADS in the one process */
  workers?: number;
  ortThreads?: number;
  /** redis: the inference processes behind one API replica with WORKERS=0 */
  layout?: RedisLayout;
}

export interface CompareRun {
  config: string;
  round: number;
  report: LoadRunReport & { ready_ms: number; warm_ms: number };
}

const METRICS = {
  throughput: (r: ServiceReport) => r.throughput,
  post_p50: (r: ServiceReport) => r.post_ms.p50,
  post_p99: (r: ServiceReport) => r.post_ms.p99,
  e2e_p50: (r: ServiceReport) => r.e2e_ms.p50,
  e2e_p99: (r: ServiceReport) => r.e2e_ms.p99,
} as const;
type Metric = keyof typeof METRICS;

export interface CompareRow {
  config: string;
  rounds: number;
  /** medians over the rounds */
  throughput: number;
  post_p50: number;
  post_p99: number;
  e2e_p50: number;
  e2e_p99: number;
  peak_rss_mb: number;
  /** every round's throughput, to show the spread */
  throughput_by_round: number[];
  /** signed change of each median against the baseline (embedded), in %: negative throughput = fewer images/s, positive latency = slower */
  change_vs_baseline_pct: Record<Metric, number>;
  /** throughput lost against the baseline run of the same round, in % (positive = slower than embedded), per round */
  overhead_by_round_pct: number[];
  /** CPU time per completed image of each part (service or api/inference/redis, and the bench's own clients), medians over the rounds */
  cpu_ms_per_image: Record<string, number>;
  /** CPU used by other work on the machine during each round, in % of one core: above a few %, that round was disturbed */
  other_cpu_pct_by_round: number[];
}

/** `--layouts 1x3,2x2,2x3`: processes × workers per process (× ORT threads). */
export function parseLayouts(spec: string, ortThreads: number): RedisLayout[] {
  return spec.split(",").map((part) => {
    const m = part.trim().match(/^(\d+)[x×](\d+)(?:[x×](\d+))?$/);
    if (!m) throw new Error(`--layouts: "${part}" is not PROCESSESxWORKERS[xTHREADS], e.g. 2x2`);
    const [processes, workersPerProcess] = [Number(m[1]), Number(m[2])];
    if (processes < 1 || workersPerProcess < 1) throw new Error(`--layouts: "${part}" needs at least one process and one worker`);
    return { processes, workersPerProcess, ortThreads: m[3] ? Number(m[3]) : ortThreads };
  });
}

const pct = (value: number, base: number) => round((value / base - 1) * 100, 1);

/** Medians per configuration over the rounds, and each against the baseline (the first configuration). */
export function summarizeComparison(configs: readonly CompareConfig[], runs: readonly CompareRun[]): CompareRow[] {
  const baseline = configs[0].name;
  const byRound = new Map(runs.filter((r) => r.config === baseline).map((r) => [r.round, r.report]));
  const medians = (config: string) => {
    const reports = runs.filter((r) => r.config === config).map((r) => r.report);
    const m = Object.fromEntries(Object.entries(METRICS).map(([k, f]) => [k, round(median(reports.map(f)), k === "throughput" ? 2 : 1)])) as Record<Metric, number>;
    return { reports, m };
  };
  const base = medians(baseline).m;
  return configs.map((c) => {
    const mine = runs.filter((r) => r.config === c.name);
    const { reports, m } = medians(c.name);
    return {
      config: c.name,
      rounds: reports.length,
      ...m,
      peak_rss_mb: round(median(reports.map((r) => r.peak_rss_mb))),
      throughput_by_round: reports.map((r) => r.throughput),
      change_vs_baseline_pct: Object.fromEntries(Object.keys(METRICS).map((k) => [k, pct(m[k as Metric], base[k as Metric])])) as Record<Metric, number>,
      overhead_by_round_pct: mine.map((r) => {
        const b = byRound.get(r.round);
        return b ? round((1 - r.report.throughput / b.throughput) * 100, 1) : Number.NaN;
      }),
      cpu_ms_per_image: cpuPerImage(reports),
      other_cpu_pct_by_round: reports.map((r) => r.cpu.other_pct),
    };
  });
}

/** % of one core ÷ images per second = CPU ms per image, per role; medians over the runs. */
function cpuPerImage(reports: readonly (ServiceReport & { cpu: CpuUse })[]): Record<string, number> {
  const roles = [...new Set(reports.flatMap((r) => Object.keys(r.cpu.by_role_pct)))];
  return Object.fromEntries(roles.map((role) => [role, round(median(reports.map((r) => ((r.cpu.by_role_pct[role] ?? 0) * 10) / r.throughput)))]));
}
