import { Elysia } from "elysia";
import { missingImage, refuse, rejectRequest, serverFault } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend } from "../backend/task-backend";
import { EXAMPLE_ID, EXAMPLE_LINKS } from "./examples";
import { TaskIdParams, TaskView } from "./schemas";
import { problemResponseObjects, problemResponses } from "./problem-docs";
import { sseResponse } from "./sse";
import { taskEventStream } from "./task-events";
import { taskView } from "./task-view";
import { type RenderedView, ViewCache } from "./view-cache";

/** Bytes of rendered task views kept for polling clients (a finished view carries its JPEG in base64). */
const VIEW_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * A rendered view as the HTTP answer: 304 when the client holds this version
 * already. The headers hooks have set (CORS) go into this Response and are
 * taken off `set`: with `set.headers` empty, Elysia sends the Response as it
 * is instead of copying it into a second one to merge them (a poll is the
 * hottest route: ~80 per image under polling clients).
 */
function viewResponse(view: RenderedView, ifNoneMatch: string | null, set: { headers: Record<string, unknown> }): Response {
  const headers = set.headers as Record<string, string>;
  set.headers = {};
  headers.etag = view.etag;
  headers["Cache-Control"] = "no-cache";
  if (view.retryAfter) headers["Retry-After"] = view.retryAfter;
  if (ifNoneMatch && matchesEtag(ifNoneMatch, view.etag)) return new Response(null, { status: 304, headers });
  headers["Content-Type"] = "application/json";
  return new Response(view.body, { headers });
}

/** RFC 9110's weak comparison, as If-None-Match uses: W/ is ignored, any listed tag (or *) matches. */
function matchesEtag(header: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}

/** Any read or write of a task can meet these: an unknown id, an unreachable store (Redis), our own fault. */
const TASK_PROBLEMS = [refuse.taskNotFound(), refuse.backendUnavailable(), serverFault.unexpected()];

/** Polls, the image, the event stream and cancels; the app's key check (app.ts) guards the cancels. */
export function resultController(backend: TaskBackend) {
  const views = new ViewCache(VIEW_CACHE_BYTES);
  const cancelRoute = {
    params: TaskIdParams,
    // Never read a body here: whatever a client sends, it is not buffered.
    parse: "none" as const,
    response: { 200: TaskView, ...problemResponses(EXAMPLE_LINKS.cancel, rejectRequest.unauthorized(), refuse.taskFinished("completed"), ...TASK_PROBLEMS) },
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
      ({ params, request, set }) => {
        const ifNoneMatch = request.headers.get("if-none-match");
        const held = backend.findHeld?.(params.id);
        if (held) return viewResponse(views.render(held), ifNoneMatch, set);
        return (async () => {
          // Without the image first: a version already rendered needs no JPEG (on Redis, a large read).
          let snap = await find(params.id, false);
          if (snap.task.status === "completed" && !snap.task.result?.annotated && snap.task.params.annotate && !views.has(snap)) snap = await find(params.id);
          return viewResponse(views.render(snap), ifNoneMatch, set);
        })();
      },
      {
        params: TaskIdParams,
        response: { 200: TaskView, ...problemResponses(EXAMPLE_LINKS.self, ...TASK_PROBLEMS) },
        detail: {
          operationId: "getTask",
          summary: "Poll a task",
          description:
            "200 for any known task, whatever its status; 404 once unknown or expired. Each answer has an `ETag`: send it back as " +
            "`If-None-Match` and an unchanged task answers 304 with no body. While the task is open, `Retry-After` says when to poll again.",
          responses: { 304: { description: "Not modified since the ETag sent in If-None-Match" } },
        },
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
          operationId: "getAnnotatedImage",
          summary: "The annotated image as JPEG bytes",
          responses: {
            200: { description: "JPEG", content: { "image/jpeg": { schema: { type: "string", format: "binary" } } } },
            ...problemResponseObjects(
              EXAMPLE_LINKS.image,
              missingImage.notFinished("processing", EXAMPLE_ID),
              missingImage.annotateOff(),
              missingImage.taskUnsuccessful("failed"),
              ...TASK_PROBLEMS,
            ),
          },
        },
      },
    )
    .post("/result/:id/cancel", async ({ params }) => taskView(await backend.cancel(params.id, "client")), {
      ...cancelRoute,
      detail: { ...cancelRoute.detail, operationId: "cancelTask" },
    })
    // The same cancel for clients that model a task as a resource to delete.
    .delete("/result/:id", async ({ params }) => taskView(await backend.cancel(params.id, "client")), {
      ...cancelRoute,
      detail: { ...cancelRoute.detail, operationId: "deleteTask" },
    })
    .get(
      "/result/:id/events",
      async ({ params, request }) => {
        const snap = await find(params.id, false);
        return sseResponse(taskEventStream(snap, backend, request.signal));
      },
      {
        params: TaskIdParams,
        detail: {
          operationId: "streamTaskEvents",
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
            ...problemResponseObjects(EXAMPLE_LINKS.events, ...TASK_PROBLEMS),
          },
        },
      },
    );
}
