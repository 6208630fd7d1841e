import type { Static } from "elysia";
import type { TaskSnapshot } from "../backend/task-backend";
import { isTerminal } from "../domain/task";
import type { TaskView } from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The JSON a client sees for a task. The annotated JPEG is inlined as a data
 * URL only when `inlineImage` (the default); event streams leave it at
 * links.image rather than base64-encode it for nothing.
 */
export function taskView({ task, queuePosition, etaMs, deliveries }: TaskSnapshot, { inlineImage = true } = {}): Static<typeof TaskView> {
  const view: Static<typeof TaskView> = {
    task_id: task.id,
    status: task.status,
    ...(task.params.model ? { model: task.params.model } : {}),
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    links: {
      self: `/result/${task.id}`,
      // Only where GET …/image will have a JPEG to give: it answers 404 no_annotated_image otherwise.
      ...(task.params.annotate && task.status !== "failed" && task.status !== "canceled" ? { image: `/result/${task.id}/image` } : {}),
      events: `/result/${task.id}/events`,
      cancel: `/result/${task.id}/cancel`,
    },
  };
  if (task.status === "pending") view.queue_position = queuePosition;
  if (!isTerminal(task.status) && etaMs !== undefined) view.eta_ms = etaMs;
  if (task.result) {
    const { annotated, ...rest } = task.result;
    view.result = {
      ...rest,
      ...(annotated && inlineImage ? { annotated_image: `data:image/jpeg;base64,${Buffer.from(annotated).toString("base64")}` } : {}),
    };
  }
  if (task.error) view.error = { ...task.error };
  if (task.cancelReason) view.cancel_reason = task.cancelReason;
  if (task.webhook) {
    view.webhook = {
      url: task.webhook.url,
      events_filter: [...task.webhook.events],
      deliveries: (deliveries ?? []).map((d) => ({
        event: d.event,
        webhook_id: d.webhookId,
        state: d.state,
        attempts: d.attempts,
        ...(d.lastStatus !== undefined ? { last_status: d.lastStatus } : {}),
        ...(d.lastError !== undefined ? { last_error: d.lastError } : {}),
        ...(d.lastAttemptAt !== undefined ? { last_attempt_at: iso(d.lastAttemptAt) } : {}),
        ...(d.nextAttemptAt !== undefined ? { next_attempt_at: iso(d.nextAttemptAt) } : {}),
      })),
    };
  }
  return view;
}

/** Whole seconds a client should wait before polling again (at least 1), from a rendered view. */
export function retryAfterSeconds(view: { eta_ms?: number }): string {
  return String(Math.max(1, Math.ceil((view.eta_ms ?? 1000) / 1000)));
}
