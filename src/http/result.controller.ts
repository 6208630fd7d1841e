import { Elysia } from "elysia";
import { missingImage, refuse } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend } from "../backend/task-backend";
import { Problem, TaskIdParams, TaskView } from "./schemas";
import { apiKeyGuard } from "./api-key";
import { taskEventStream } from "./task-events";
import { retryAfterSeconds, taskView } from "./task-view";

export function resultController(backend: TaskBackend, apiKey: string | undefined) {
  const guard = apiKeyGuard(apiKey);
  const cancelRoute = {
    params: TaskIdParams,
    // Never read a body here: whatever a client sends, it is not buffered.
    parse: "none" as const,
    beforeHandle: guard,
    response: { 200: TaskView, 401: Problem, 404: Problem, 409: Problem },
    detail: {
      summary: "Cancel a task",
      description:
        "A pending task leaves the queue at once; a processing one is canceled and its result discarded. " +
        "409 when the task has already finished.",
    },
  };
  const find = async (id: string, withImage = true) => {
    const snap = await backend.find(id, { withImage });
    if (!snap) throw refuse.taskNotFound();
    return snap;
  };
  return new Elysia({ name: "result", tags: ["Detection"] })
    .get(
      "/result/:id",
      async ({ params, set }) => {
        const snap = await find(params.id);
        const view = taskView(snap);
        if (!isTerminal(snap.task.status)) set.headers["retry-after"] = retryAfterSeconds(view);
        return view;
      },
      {
        params: TaskIdParams,
        response: { 200: TaskView, 404: Problem },
        detail: { summary: "Poll a task", description: "200 for any known task, whatever its status; 404 once unknown or expired." },
      },
    )
    .get(
      "/result/:id/image",
      async ({ params }) => {
        const { task } = await find(params.id);
        if (!isTerminal(task.status)) throw missingImage.notFinished(task.status, task.id);
        const jpeg = task.result?.annotated;
        if (!jpeg) throw task.status === "completed" ? missingImage.annotateOff() : missingImage.taskUnsuccessful(task.status);
        return new Response(jpeg as Uint8Array<ArrayBuffer>, { headers: { "content-type": "image/jpeg", "cache-control": "private, max-age=300" } });
      },
      {
        params: TaskIdParams,
        detail: {
          summary: "The annotated image as JPEG bytes",
          responses: {
            200: { description: "JPEG", content: { "image/jpeg": { schema: { type: "string", format: "binary" } } } },
            404: { description: "Unknown task, or no image", content: { "application/problem+json": {} } },
            409: { description: "Not finished yet", content: { "application/problem+json": {} } },
          },
        },
      },
    )
    .post("/result/:id/cancel", async ({ params }) => taskView(await backend.cancel(params.id, "client")), cancelRoute)
    .delete("/result/:id", async ({ params }) => taskView(await backend.cancel(params.id, "client")), cancelRoute)
    .get(
      "/result/:id/events",
      async ({ params, request }) => {
        const snap = await find(params.id, false);
        return new Response(taskEventStream(snap, backend, request.signal), {
          headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" },
        });
      },
      {
        params: TaskIdParams,
        detail: {
          summary: "Stream a task's changes (Server-Sent Events)",
          description:
            "One event per change, named after the status (`pending` with `queue_position`, `processing`, `completed`, " +
            "`failed`, `canceled`); data is the task as JSON without the inline image. The stream ends after the terminal event.",
          responses: {
            200: {
              description: "text/event-stream",
              content: {
                "text/event-stream": {
                  schema: { type: "string" },
                  example:
                    'event: pending\nid: pending:2\ndata: {"task_id":"5f0c…","status":"pending","queue_position":2,"eta_ms":400,…}\n\n' +
                    'event: processing\nid: processing:\ndata: {"task_id":"5f0c…","status":"processing",…}\n\n' +
                    'event: completed\nid: completed:\ndata: {"task_id":"5f0c…","status":"completed","result":{"detections":[…],…},…}\n\n',
                },
              },
            },
            404: { description: "Unknown task", content: { "application/problem+json": {} } },
          },
        },
      },
    );
}
