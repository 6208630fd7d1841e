/** What `bun run bench` makes of one load run (in src/ so tests can check it; bench/ stays a command). */
import { countBy, median, round, summarize, type Summary } from "./stats";

/** One upload of a load run, as the client saw it. */
export interface RequestRecord {
  image: string;
  httpCode: number;
  postMs: number;
  /** upload to terminal state, when accepted */
  e2eMs?: number;
  status?: string;
  timings?: Record<string, number>;
}

export interface ServiceReport {
  requests: number;
  concurrency: number;
  images: string;
  seconds: number;
  throughput: number;
  post_ms: Summary;
  e2e_ms: Summary;
  http_codes: Record<string, number>;
  statuses: Record<string, number>;
  /** per-phase medians in ms, from the tasks' own timings */
  phase_medians_ms: Record<string, number>;
}

const PHASES = ["queue", "preprocess", "inference", "postprocess", "annotate", "total"] as const;

/** Everything the bench prints and saves about one load run. */
export function serviceReport(records: readonly RequestRecord[], seconds: number, concurrency: number, images: string): ServiceReport {
  const completed = records.filter((r) => r.status === "completed");
  const phases: Record<string, number> = {};
  for (const phase of PHASES) {
    phases[phase] = round(median(completed.map((r) => r.timings?.[phase]).filter((v): v is number => v !== undefined)));
  }
  return {
    requests: records.length,
    concurrency,
    images,
    seconds: round(seconds, 2),
    throughput: round(completed.length / seconds, 2),
    post_ms: summarize(records.map((r) => r.postMs)),
    e2e_ms: summarize(records.filter((r) => r.e2eMs !== undefined).map((r) => r.e2eMs!)),
    http_codes: countBy(records.map((r) => r.httpCode)),
    statuses: countBy(records.map((r) => r.status ?? "rejected")),
    phase_medians_ms: phases,
  };
}
