import type { BarePipelineReport } from "./bare-pipeline";
import type { LimitResult } from "./limit";
import type { EventsRun, pollCostRun, PollingRun } from "./perf-runs";
import type { ShapeLimits } from "./shape-limits";

/** One target of `bun run bench --perf`: its goal, what the run reached, and whether that meets it. */
export interface Target {
  target: string;
  goal: string;
  reached: string;
  met: boolean;
}

/** What one `--perf` run measured, part by part, and its targets. */
export interface PerfReport {
  /** bare ONNX Runtime at the square (640×640): its fastest layout, and the cheapest layout's CPU per image */
  limit: LimitResult & { cheapest: { layout: string; cpuMsPerImage: number } };
  /** bare ONNX Runtime at the shapes the default runs each shared photo in */
  shapes: ShapeLimits;
  /** the service's own modules, no HTTP: Detector.detect over the photos, annotated as the default */
  pipeline: BarePipelineReport;
  /** the original's stress client: 64 clients polling every 50 ms, annotated results, and the upload probe */
  polling: PollingRun;
  /** 32 clients following their tasks over SSE: the default, then rect=off */
  events: EventsRun[];
  poll_cost: Awaited<ReturnType<typeof pollCostRun>>;
  /** the bare pipeline and bare ORT's cheapest layout again, after the service's runs (the machine drifts) */
  pipeline_after?: BarePipelineReport;
  limit_after?: { layout: string; cpuMsPerImage: number };
  targets: Target[];
}
