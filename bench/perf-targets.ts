import { round } from "../src/bench-kit/stats";
import type { PerfReport, Target } from "./perf-report";

/**
 * Issue 26's targets 1–3 from one `--perf` run's figures, then the earlier
 * rounds' (docs/BENCHMARKS.md, "Performance: where an image's CPU goes"),
 * kept so a change that helps one cannot quietly undo another. A part left
 * out reads NaN, and its target "no".
 */
export function perfTargets(r: Omit<PerfReport, "targets">): Target[] {
  const [events, off] = r.events;
  const ratio = (a: number, b: number) => round(a / b, 2);
  // The bare references as the service's runs saw the machine: the mean of the readings before and after them.
  const mean = (before: number, after: number | undefined) => (after === undefined ? before : round((before + after) / 2, 1));
  const readings = (before: number, after: number | undefined) => (after === undefined ? "" : `; before/after ${before} / ${after}`);
  const ort = { layout: r.limit.cheapest.layout, cpuMsPerImage: mean(r.limit.cheapest.cpuMsPerImage, r.limit_after?.cpuMsPerImage) };
  const pipelineMs = mean(r.pipeline.cpu_ms_per_image, r.pipeline_after?.cpu_ms_per_image);
  const pipelineReadings = readings(r.pipeline.cpu_ms_per_image, r.pipeline_after?.cpu_ms_per_image);
  const vsOrt = r.polling.cpu_ms_per_image / ort.cpuMsPerImage;
  const eventsVsPipeline = events.cpu_ms_per_image / pipelineMs;
  const pollingVsPipeline = r.polling.cpu_ms_per_image / pipelineMs;
  const offVsDefault = off.cpu_ms_per_image / events.cpu_ms_per_image;
  const probe = r.polling.probe_post_ms;
  const share = events.images_per_second / r.limit.imagesPerSecond;
  return [
    { target: "1a. server CPU per image (polling) / bare ORT's at 640x640", goal: "≤ 1.11", reached: `${ratio(vsOrt, 1)} (${r.polling.cpu_ms_per_image} / ${ort.cpuMsPerImage} ms, ${ort.layout}${readings(r.limit.cheapest.cpuMsPerImage, r.limit_after?.cpuMsPerImage)})`, met: vsOrt <= 1.11 },
    { target: "1b. service CPU per image (events) / bare pipeline's", goal: "≤ 1.10", reached: `${ratio(eventsVsPipeline, 1)} (${events.cpu_ms_per_image} / ${pipelineMs} ms${pipelineReadings})`, met: eventsVsPipeline <= 1.1 },
    { target: "1c. service CPU per image (polling) / bare pipeline's", goal: "≤ 1.10", reached: `${ratio(pollingVsPipeline, 1)} (${r.polling.cpu_ms_per_image} / ${pipelineMs} ms${pipelineReadings})`, met: pollingVsPipeline <= 1.1 },
    {
      target: `2. CPU per image, rect=off / default (${r.shapes.rect}), service (events)`,
      goal: "≥ 1.2",
      reached: `${ratio(offVsDefault, 1)} (${off.cpu_ms_per_image} / ${events.cpu_ms_per_image} ms; bare ORT ${ratio(r.limit.cheapest.cpuMsPerImage, r.shapes.cpu_ms_per_image)})`,
      met: offVsDefault >= 1.2,
    },
    { target: "3. upload p50 / p99 under polling (probe)", goal: "p99 ≤ 20 ms", reached: `${probe.p50} / ${probe.p99} ms (n ${probe.n})`, met: probe.p99 <= 20 },
    { target: "earlier: CPU per poll, pending task", goal: "≤ 20 µs", reached: `${r.poll_cost.pending.cpu_us_per_poll} µs`, met: r.poll_cost.pending.cpu_us_per_poll <= 20 },
    { target: "earlier: CPU per poll, finished with inline image", goal: "≤ 60 µs", reached: `${r.poll_cost.finished_inline_image.cpu_us_per_poll} µs`, met: r.poll_cost.finished_inline_image.cpu_us_per_poll <= 60 },
    { target: "earlier: events throughput / bare limit", goal: "≥ 0.88", reached: `${round(share, 3)} (${events.images_per_second} / ${round(r.limit.imagesPerSecond, 2)})`, met: share >= 0.88 },
  ];
}
