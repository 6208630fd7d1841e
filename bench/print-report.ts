import { table } from "../src/bench-kit/stats";
import type { CompareConfig, CompareRow, CompareRun } from "./compare";
import type { IngestReport } from "./ingest";
import type { OverloadReport } from "./overload";
import type { PipelineRow } from "./pipeline";
import type { BackendInfo, LoadRunReport } from "./service-runs";

/** The backend as a row label, e.g. "embedded 3×1" or "redis API + 2×2". */
export const backendLabel = (b: BackendInfo | undefined) =>
  !b ? "" : b.kind === "embedded" ? `embedded ${b.workers}×${b.ort_threads}` : `redis API + ${b.inference_processes}×${b.workers_per_process}${b.ort_threads > 1 ? `×${b.ort_threads}t` : ""}`;

/** A load run as the tables show it: against a running service (--url) it has no start-up figures and no backend. */
export type ServiceRun = LoadRunReport & { ready_ms?: number; warm_ms?: number; backend?: BackendInfo };

/** What the default mode of `bun run bench` measured, as written to its JSON file. */
export interface MainReport {
  limit: { layout: string; imagesPerSecond: number }[];
  pipeline_ms: PipelineRow[];
  service: ServiceRun[];
  ratio_service_to_limit?: number;
  sweep: { layout: string; throughput: number; post_p99: number; e2e_p50: number }[];
  ingest?: IngestReport;
  overload?: OverloadReport & { ttl_s: number; warmed_rss_mb: number; after_ttl_rss_mb: number; tasks_after_ttl: number };
  comparison?: { requests: number; concurrency: number; rounds: number; configs: CompareConfig[]; runs: CompareRun[]; summary: CompareRow[] };
}

const sign = (v: number) => (Number.isFinite(v) ? `${v > 0 ? "+" : ""}${v}%` : "-");

/** The default mode's figures as tables on stdout. */
export function printReport(report: MainReport) {
  const { service, sweep, pipeline_ms: pipeline, comparison, ingest, overload } = report;
  const rows: (string | number)[][] = [["run", "img/s", "POST p50/p99 ms", "e2e p50/p99 ms", "codes", "peak RSS MB", "ready ms", "CPU % of one core"]];
  for (const l of report.limit) rows.push([`limit ${l.layout}`, l.imagesPerSecond, "", "", "", "", "", ""]);
  const runRow = (name: string, s: ServiceRun) => [
    name,
    s.throughput,
    `${s.post_ms.p50}/${s.post_ms.p99}`,
    `${s.e2e_ms.p50}/${s.e2e_ms.p99}`,
    JSON.stringify(s.http_codes),
    s.peak_rss_mb,
    s.ready_ms ?? "",
    [...Object.entries(s.cpu.by_role_pct), ["other", s.cpu.other_pct]].map(([k, v]) => `${k} ${Math.round(Number(v))}`).join(", "),
  ];
  for (const s of service) rows.push(runRow(s.backend?.kind === "redis" ? `${s.images} [${backendLabel(s.backend)}]` : s.images, s));
  const rounds = comparison?.rounds ?? 1;
  for (const r of comparison?.runs ?? []) rows.push(runRow(rounds > 1 ? `${r.config} #${r.round}` : r.config, r.report));
  for (const s of sweep) rows.push([`sweep ${s.layout}`, s.throughput, `-/${s.post_p99}`, `${s.e2e_p50}/-`, "", "", "", ""]);
  console.log(`\n${table(rows)}`);
  for (const s of service) console.log(`phase medians (${s.images}):`, JSON.stringify(s.phase_medians_ms));
  for (const s of service.filter((x) => x.cpu.other_pct > 10)) {
    console.log(`warning: other work used ${s.cpu.other_pct}% of a core during "${s.images}"; its figures are low`);
  }
  if (pipeline.length) {
    console.log(`\n${table([["pipeline, one image at a time", "decode+letterbox", "postprocess", "annotate+encode", "all but inference", "inference"], ...pipeline.map((p) => [p.image, p.preprocess, p.postprocess, p.annotate, p.non_inference, p.inference])])}`);
  }
  if (report.ratio_service_to_limit !== undefined) console.log(`service / limit: ${report.ratio_service_to_limit}`);
  if (comparison) printComparison(comparison);
  if (ingest) {
    console.log(
      `ingest (64 clients, queue full, ${ingest.seconds} s): ${ingest.posts} POSTs ${JSON.stringify(ingest.http_codes)}; ` +
        `POST p50/p99 ms all ${ingest.post_ms.p50}/${ingest.post_ms.p99}, 201 ${ingest.post_201_ms.p50}/${ingest.post_201_ms.p99}, 429 ${ingest.post_429_ms.p50}/${ingest.post_429_ms.p99}`,
    );
  }
  if (overload) {
    console.log(
      `overload: ${overload.offered} offered at ${overload.offered_rate}/s for ${overload.seconds} s → ${overload.accepted} accepted, ` +
        `${overload.rejected_429} × 429, other ${JSON.stringify(overload.other_codes)}; accepted ended ${JSON.stringify(overload.terminal)}, lost ${overload.lost}`,
    );
    console.log(
      `overload RSS MB: warmed ${overload.warmed_rss_mb}, start ${overload.rss_mb.start}, peak ${overload.rss_mb.peak}, ` +
        `end of load ${overload.rss_mb.end_of_load}, after TTL ${overload.after_ttl_rss_mb} (${overload.tasks_after_ttl} tasks left)`,
    );
  }
}

/** --backend compare: each configuration against the first (embedded), medians of the rounds. */
function printComparison(comparison: NonNullable<MainReport["comparison"]>) {
  const { rounds, requests, concurrency } = comparison;
  console.log(
    `\nbackend comparison: photos 768x576, ${requests} uploads, ${concurrency} clients, medians of ${rounds} round(s); change vs ${comparison.configs[0].name}\n` +
      table([
        ["config", "img/s", "POST p50/p99 ms", "e2e p50/p99 ms", "img/s vs base", "POST p50/p99 vs base", "e2e p50/p99 vs base", "RSS MB"],
        ...comparison.summary.map((r) => [
          r.config,
          rounds > 1 ? `${r.throughput} (${r.throughput_by_round.join(", ")})` : r.throughput,
          `${r.post_p50}/${r.post_p99}`,
          `${r.e2e_p50}/${r.e2e_p99}`,
          sign(r.change_vs_baseline_pct.throughput),
          `${sign(r.change_vs_baseline_pct.post_p50)} / ${sign(r.change_vs_baseline_pct.post_p99)}`,
          `${sign(r.change_vs_baseline_pct.e2e_p50)} / ${sign(r.change_vs_baseline_pct.e2e_p99)}`,
          r.peak_rss_mb,
        ]),
      ]),
  );
  console.log(`CPU ms per image (medians): ${comparison.summary.map((r) => `${r.config}: ${Object.entries(r.cpu_ms_per_image).map(([k, v]) => `${k} ${v}`).join(", ")}`).join("; ")}`);
  const disturbed = comparison.runs.filter((r) => r.report.cpu.other_pct > 10);
  if (disturbed.length) {
    console.log(`warning: other work used the CPU during ${disturbed.map((r) => `${r.config} #${r.round} (${r.report.cpu.other_pct}% of a core)`).join(", ")}; those figures are low`);
  }
  const [, sameLayout] = comparison.summary;
  if (sameLayout) {
    const fewer = (v: number) => (v >= 0 ? `${v}% fewer` : `${-v}% more`);
    console.log(
      `overhead of ${sameLayout.config} vs ${comparison.configs[0].name}: ${fewer(-sameLayout.change_vs_baseline_pct.throughput)} images/s ` +
        `(per round: ${sameLayout.overhead_by_round_pct.map(fewer).join(", ")}), e2e p50 ${sign(sameLayout.change_vs_baseline_pct.e2e_p50)}, POST p50 ${sign(sameLayout.change_vs_baseline_pct.post_p50)}`,
    );
  }
}
