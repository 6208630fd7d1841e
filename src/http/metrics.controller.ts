import { Elysia } from "elysia";
import type { Metrics } from "../metrics/metrics";
import { problemResponseObjects, readOnlyErrors } from "./problem-docs";

export function metricsController(metrics: Metrics) {
  return new Elysia({ name: "metrics", tags: ["Service"] }).get(
    "/metrics",
    async () => new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } }),
    {
      detail: {
        operationId: "getMetrics",
        summary: "Prometheus metrics",
        description: "Queue depth, tasks by status, rejections by reason, queue-wait and per-phase histograms, worker restarts, held bytes, RSS.",
        responses: {
          200: {
            description: "Prometheus text exposition format 0.0.4",
            content: {
              "text/plain": {
                schema: { type: "string" },
                example: '# HELP yolo_queue_depth Tasks waiting in the queue\n# TYPE yolo_queue_depth gauge\nyolo_queue_depth 3\n# TYPE yolo_tasks gauge\nyolo_tasks{status="completed"} 42\n',
              },
            },
          },
          ...problemResponseObjects("/metrics", ...readOnlyErrors("/metrics")),
        },
      },
    },
  );
}
