import { Elysia } from "elysia";
import type { Runner } from "../runner/runner";
import { HealthView } from "./model";

export function healthController(runner: Runner) {
  return new Elysia({ name: "health", tags: ["Service"] }).get(
    "/health",
    ({ set }) => {
      const model = runner.model;
      set.status = runner.ready ? 200 : 503;
      return {
        status: runner.ready ? ("ok" as const) : ("starting" as const),
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
        tasks: runner.store.size,
      };
    },
    {
      response: { 200: HealthView, 503: HealthView },
      detail: { summary: "Readiness and state", description: "200 once the model is loaded and warmed in a worker; 503 before." },
    },
  );
}
