import { Elysia } from "elysia";
import { refuse, rejectRequest } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend } from "../backend/task-backend";
import type { Intake } from "../intake/intake";
import { formToObject, readBody } from "./capped-body";
import type { ClientIdentity } from "./client-identity";
import type { InflightBudget, Lease } from "./inflight-budget";
import { PredictBody, PredictQuery, Problem, TaskView } from "./schemas";
import { preferredWaitSeconds } from "./prefer-wait";
import { retryAfterSeconds, taskView } from "./task-view";

/** Headroom for multipart boundaries and the small knob fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Seconds a client refused for the in-flight budget is told to wait: uploads in flight finish or time out. */
const RETRY_INFLIGHT_S = 2;

export interface PredictOptions {
  maxUploadBytes: number;
  uploadTimeoutMs: number;
  budget: InflightBudget;
  identity: ClientIdentity;
}

export function predictController(intake: Intake, backend: TaskBackend, opts: PredictOptions) {
  // Per request: who sent it and the bytes its body holds against MAX_INFLIGHT_BYTES.
  const uploads = new WeakMap<Request, { client: string; lease: Lease }>();
  return new Elysia({ name: "predict", tags: ["Detection"] })
    // Whatever the outcome (refused, invalid, answered), the body's bytes leave the budget.
    .onAfterResponse({ as: "local" }, ({ request }) => uploads.get(request)?.lease.release())
    .post(
      "/predict",
      async ({ body, query, set, request }) => {
        const upload = uploads.get(request)!;
        const { file, ...formKnobs } = body;
        let accepted;
        try {
          const bytes = new Uint8Array(await file.arrayBuffer());
          // The copy above is the one the task holds: let the multipart File go,
          // so a Prefer: wait does not keep the upload twice.
          Reflect.deleteProperty(body, "file");
          // Form fields win over query parameters when both are given.
          accepted = await intake.accept(bytes, { ...query, ...formKnobs }, upload.client);
        } finally {
          // From here the upload counts against MAX_STORE_BYTES (or was refused): no longer in flight.
          upload.lease.release();
        }
        const id = accepted.task.id;
        set.headers.location = `/result/${id}`;
        const wait = preferredWaitSeconds(request.headers.get("prefer"));
        if (wait !== undefined) {
          set.headers["preference-applied"] = `wait=${wait}`;
          // The task is accepted whatever happens now: if the store goes away while
          // we wait, the client still gets its 201 and the id to poll later.
          const done = await backend.waitForTerminal(id, wait * 1000).catch(() => undefined);
          if (done && isTerminal(done.task.status)) {
            set.status = 200;
            return taskView(done);
          }
        }
        const view = taskView(accepted);
        set.status = 201;
        set.headers["retry-after"] = retryAfterSeconds(view);
        return view;
      },
      {
        // Runs before the body is read, so an unauthorised, oversized,
        // non-multipart or unadmittable upload is refused without buffering it
        // (its answer closes the connection: see capped-body.ts). Bun's own
        // limit would answer 413 with an empty body, so the server sets it far
        // above ours. The body is then read here, against the in-flight budget
        // and UPLOAD_TIMEOUT_MS, and handed to Elysia as the parsed form. The
        // named "formdata" parser after it never runs (ours always returns or
        // throws); it tells the OpenAPI document the body is multipart.
        parse: [
          async ({ request, server }) => {
            const client = opts.identity.clientOf(request, server);
            const type = request.headers.get("content-type") ?? "";
            if (!type.toLowerCase().startsWith("multipart/form-data")) throw rejectRequest.notMultipart();
            const cap = opts.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
            const header = request.headers.get("content-length");
            const declared = header === null ? 0 : Number(header);
            if (!Number.isSafeInteger(declared) || declared < 0) throw rejectRequest.malformedBody();
            if (declared > cap) intake.tooLarge(declared);
            // A chunked body is admitted with size 0; it is counted as it arrives.
            await backend.admit(declared, client);
            const lease = opts.budget.reserve(client, declared);
            if (!lease) throw refuse.inflightFull(RETRY_INFLIGHT_S);
            uploads.set(request, { client, lease });
            const bytes = await readBody(request, {
              cap,
              timeoutMs: opts.uploadTimeoutMs,
              tooLarge: (n) => intake.tooLarge(n),
              onChunk:
                header === null
                  ? (n) => {
                      if (!lease.grow(n)) throw refuse.inflightFull(RETRY_INFLIGHT_S);
                    }
                  : undefined,
            });
            try {
              return formToObject(await new Response(bytes, { headers: { "content-type": type } }).formData());
            } catch {
              throw rejectRequest.malformedMultipart();
            }
          },
          "formdata",
        ],
        body: PredictBody,
        query: PredictQuery,
        response: { 200: TaskView, 201: TaskView, 401: Problem, 408: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem, 503: Problem },
        detail: {
          summary: "Submit an image for detection",
          description:
            "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
            "With `Prefer: wait=N` (N ≤ 60) it waits up to N seconds and answers 200 with the finished task if it finished. " +
            "Detection knobs may be form fields or query parameters. Clients take turns in the queue. " +
            "429 when the queue, your own share of it (`client_queue_full`), memory or the uploads in flight are full (see `Retry-After`); " +
            "408 when the body does not arrive within `UPLOAD_TIMEOUT_MS`; 503 while the model loads or the service shuts down.",
          parameters: [
            { name: "Prefer", in: "header", required: false, schema: { type: "string", example: "wait=10" }, description: "`wait=N`: hold the answer up to N seconds (≤ 60) for the result" },
          ],
        },
      },
    );
}
