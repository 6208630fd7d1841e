import { Elysia } from "elysia";
import type { Runner } from "../runner/runner";
import { HealthView, ProbeView } from "./model";

/** Why the service cannot take uploads now, or undefined when it can. */
function notReadyReason(runner: Runner): string | undefined {
  if (runner.draining) return "draining: the service is shutting down";
  if (!runner.model) return "starting: the model is loading";
  if (!runner.ready) return "no worker is ready (all are restarting)";
  return undefined;
}

export function healthController(runner: Runner, limits: { queueMax: number; maxStoreBytes: number }) {
  return new Elysia({ name: "health", tags: ["Service"] })
    .get(
      "/health/live",
      () => ({ status: "live" }),
      { response: { 200: ProbeView }, detail: { summary: "Liveness", description: "200 while the process answers." } },
    )
    .get(
      "/health/ready",
      ({ set }) => {
        const reason = notReadyReason(runner);
        set.status = reason ? 503 : 200;
        return reason ? { status: "not_ready", reason } : { status: "ready" };
      },
      {
        response: { 200: ProbeView, 503: ProbeView },
        detail: { summary: "Readiness", description: "200 when the model is warmed in a worker and the service is not draining; 503 with the reason otherwise." },
      },
    )
    .get(
      "/health",
      ({ set }) => {
        const model = runner.model;
        const ready = !notReadyReason(runner);
        set.status = ready ? 200 : 503;
        return {
          status: runner.draining ? ("draining" as const) : ready ? ("ok" as const) : ("starting" as const),
          ...(model
            ? {
                model: {
                  name: model.name,
                  input_size: { width: model.inputWidth, height: model.inputHeight },
                  classes: model.names.length,
                  names_source: model.namesSource,
                  ...(runner.warmupMs !== undefined ? { warmup_ms: Math.round(runner.warmupMs) } : {}),
                },
              }
            : {}),
          workers: runner.workers(),
          queue_depth: runner.queueDepth,
          queue_max: limits.queueMax,
          tasks: runner.store.countByStatus(),
          held_bytes: runner.store.heldBytes,
          max_store_bytes: limits.maxStoreBytes,
        };
      },
      {
        response: { 200: HealthView, 503: HealthView },
        detail: { summary: "Detailed state", description: "Model, workers (state, restarts), queue, tasks by status and held bytes; 200 when ready, 503 otherwise." },
      },
    );
}
