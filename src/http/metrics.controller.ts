import { Elysia } from "elysia";
import type { Metrics } from "../metrics/metrics";

export function metricsController(metrics: Metrics) {
  return new Elysia({ name: "metrics", tags: ["Service"] }).get(
    "/metrics",
    async () => new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } }),
    { detail: { summary: "Prometheus metrics", description: "Queue depth, tasks by status, rejections, queue-wait and per-phase histograms, worker restarts, held bytes, RSS." } },
  );
}
