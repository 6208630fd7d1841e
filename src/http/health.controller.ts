import { Elysia } from "elysia";
import type { TaskBackend } from "../backend/task-backend";
import type { InflightBudget } from "./inflight-budget";
import { HealthView, ProbeView } from "./schemas";
import { problemResponses, readOnlyErrors } from "./problem-docs";
import { modelDetails, modelsList } from "./models.controller";

const readOnlyProblems = (path: string) => problemResponses(path, ...readOnlyErrors(path));

export interface HealthExtras {
  queueMax: number;
  maxStoreBytes: number;
  inflight: InflightBudget;
  /** refusals so far, by reason */
  refusals: () => Record<string, number>;
  /** the models this process was told of (MODELS), the default first */
  models: readonly string[];
}

/** A client as /health may show it: an operator's key name, but no one's address (the endpoint is public). */
const shown = (client: string) => (client.startsWith("key:") ? client : "address");

export function healthController(backend: TaskBackend, limits: HealthExtras) {
  return new Elysia({ name: "health", tags: ["Service"] })
    .get(
      "/health/live",
      () => ({ status: "live" }),
      { response: { 200: ProbeView, ...readOnlyProblems("/health/live") }, detail: { operationId: "getLiveness", summary: "Liveness", description: "200 while the process answers." } },
    )
    .get(
      "/health/ready",
      ({ set }) => {
        const reason = backend.notReadyReason();
        set.status = reason ? 503 : 200;
        return reason ? { status: "not_ready", reason } : { status: "ready" };
      },
      {
        response: { 200: ProbeView, 503: ProbeView, ...readOnlyProblems("/health/ready") },
        detail: {
          operationId: "getReadiness",
          summary: "Readiness",
          description:
            "200 when the model is warmed in a worker (on Redis: in some inference process, with Redis reachable) and the service is not draining; 503 with the reason otherwise.",
        },
      },
    )
    .get(
      "/health",
      async ({ set }) => {
        const h = await backend.health(); // first: it refreshes what the reason is read from
        const list = modelsList(backend, limits.models);
        // The list puts the default first (knownModels).
        const model = backend.models?.find((m) => m.name === list[0]?.name);
        const reason = backend.notReadyReason();
        set.status = reason ? 503 : 200;
        const status = backend.draining ? "draining" : h.connection === "down" ? "unavailable" : reason ? "starting" : "ok";
        return {
          status: status as "ok" | "starting" | "draining" | "unavailable",
          ...(reason ? { reason } : {}),
          backend: {
            kind: h.kind,
            connection: h.connection,
            inference_processes: h.inference.processes,
            inference_workers: h.inference.workers,
          },
          ...(model
            ? {
                model: {
                  name: model.name,
                  ...modelDetails(model),
                  classes: model.names.length,
                  names_source: model.namesSource,
                  ...(h.warmupMs !== undefined ? { warmup_ms: Math.round(h.warmupMs) } : {}),
                },
              }
            : {}),
          models: list.map(({ name, default: isDefault, loaded }) => ({ name, default: isDefault, loaded })),
          workers: h.workers,
          queue_depth: h.queueDepth,
          queue_max: limits.queueMax,
          tasks: h.tasks as Record<string, number>,
          held_bytes: h.heldBytes,
          max_store_bytes: limits.maxStoreBytes,
          clients: { active: h.clients.active, largest_backlogs: h.clients.largest.map((b) => ({ client: shown(b.client), waiting: b.waiting })) },
          uploads_in_flight: { bytes: limits.inflight.bytes, max: limits.inflight.maxBytes },
          refusals: limits.refusals(),
        };
      },
      {
        response: { 200: HealthView, 503: HealthView, ...readOnlyProblems("/health") },
        detail: {
          operationId: "getHealth",
          summary: "Detailed state",
          description:
            "Backend (embedded or redis) and its connection, the default model, every model (loaded or not), this process's workers, the (shared) queue depth, tasks by status, held bytes, " +
            "active clients and the largest per-client backlogs, bytes of uploads in flight, and refusals by reason; 200 when ready, 503 otherwise.",
        },
      },
    );
}
