import { Elysia } from "elysia";
import { type DomainError, refuse, refuseUpload, rejectRequest, rejectUpload, serverFault, unknownModel, type UploadRefusal } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend } from "../backend/task-backend";
import { ACCEPTED_MIME, type Intake } from "../intake/intake";
import { formToObject, readBody } from "./capped-body";
import type { ClientIdentity } from "./client-identity";
import type { InflightBudget, Lease } from "./inflight-budget";
import { CreatedTaskView, PredictHeaders, predictBody, predictQuery, TaskView } from "./schemas";
import { problemResponses } from "./problem-docs";
import { knobErrors } from "./knob-errors";
import { MAX_WAIT_S, preferredWaitSeconds } from "./prefer-wait";
import { openViewAnswer } from "./ready-answer";
import { retryAfterSeconds, taskView } from "./task-view";
import type { TaskSnapshot } from "../backend/task-backend";
import { type Answer, answerOnce, fingerprintOf, idempotencyKeyOf } from "./idempotency-key";
import { type WebhookPolicy, webhookOf } from "./webhook-field";

/** An upload's answer: its task as answered, and with which status. */
type Answered = Answer & { snapshot: TaskSnapshot };

/** Headroom for multipart boundaries and the small knob fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The limits an upload is held to, as configured: its refusals in the OpenAPI document quote them. */
export interface UploadLimits {
  maxUploadBytes: number;
  uploadTimeoutMs: number;
  maxPixels: number;
  queueMax: number;
  clientQueueMax: number;
  /** the models an upload may name, the default first (none known: an API replica told nothing) */
  models: readonly string[];
}

/**
 * What an upload can be refused with, as the OpenAPI document shows it: the
 * same factories the hooks, the intake and the backends throw, with this
 * service's own limits and formats, so the examples say what it would say.
 * The rest (a PDF, a 12 000 × 8 000 photo, the default model's 80 classes)
 * are sample inputs.
 */
function uploadProblems(limits: UploadLimits) {
  const names = limits.models.length ? limits.models : ["yolov8n"];
  const sampleSide = Math.ceil(Math.sqrt(limits.maxPixels * 2));
  // One sample per code an upload can get (UPLOAD_REFUSALS): a code added there and missing here does not compile.
  const samples: Record<UploadRefusal, DomainError> = {
    malformed_request: rejectRequest.malformedMultipart(),
    unauthorized: rejectRequest.unauthorized(),
    upload_timeout: refuse.uploadTimeout(limits.uploadTimeoutMs),
    idempotency_in_progress: refuseUpload.idempotencyInProgress(),
    payload_too_large: rejectUpload.tooLarge(Math.ceil(limits.maxUploadBytes * 1.5), limits.maxUploadBytes),
    not_multipart: rejectRequest.notMultipart(),
    unsupported_media_type: rejectUpload.notAnAcceptedImage("application/pdf (.pdf)", ACCEPTED_MIME),
    missing_file: rejectRequest.missingFile(),
    unreadable_image: rejectUpload.unreadableHeader(),
    too_many_pixels: rejectUpload.tooManyPixels(sampleSide, sampleSide, limits.maxPixels),
    invalid_parameter: rejectUpload.unknownClasses(['"unicorn"'], 80),
    validation_failed: rejectRequest.invalidFields(knobErrors({ conf: "2" })),
    webhook_url_forbidden: refuseUpload.webhookForbidden("it resolves to a private address"),
    webhooks_disabled: refuseUpload.webhooksDisabled(),
    idempotency_key_reused: refuseUpload.idempotencyKeyReused(),
    unknown_model: unknownModel("yolov9", names),
    queue_full: refuse.queueFull(limits.queueMax, 3),
    client_queue_full: refuse.clientQueueFull(limits.clientQueueMax, 3),
    memory_full: refuse.memoryFull(3),
    inflight_full: refuse.inflightFull(),
    internal_error: serverFault.unexpected(),
    not_ready: refuse.notReady(),
    draining: refuse.draining(),
    backend_unavailable: refuse.backendUnavailable(),
    model_unavailable: refuse.modelUnavailable(names.at(-1)!),
  };
  for (const [code, error] of Object.entries(samples)) if (error.code !== code) throw new Error(`the sample for ${code} says ${error.code}`);
  return problemResponses("/predict", ...Object.values(samples));
}

export interface PredictOptions extends UploadLimits {
  budget: InflightBudget;
  identity: ClientIdentity;
  webhooks: WebhookPolicy;
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
        const key = idempotencyKeyOf(request.headers);
        const { file, webhook: formHook, webhook_events_filter: formFilter, ...formKnobs } = body;
        const { webhook: queryHook, webhook_events_filter: queryFilter, ...queryKnobs } = query;
        // Form fields win over query parameters when both are given.
        const knobs = { ...queryKnobs, ...formKnobs };
        const hook = { webhook: formHook ?? queryHook, webhook_events_filter: formFilter ?? queryFilter };
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await file.arrayBuffer());
          // The copy above is the one the task holds: let the multipart File go,
          // so a Prefer: wait does not keep the upload twice.
          Reflect.deleteProperty(body, "file");
        } catch (err) {
          upload.lease.release();
          throw err;
        }
        const first = async (): Promise<Answered> => {
          let accepted;
          try {
            const webhook = await webhookOf(hook.webhook, hook.webhook_events_filter, opts.webhooks);
            accepted = await intake.accept(bytes, knobs, upload.client, webhook);
          } finally {
            // From here the upload counts against MAX_STORE_BYTES (or was refused): no longer in flight.
            upload.lease.release();
          }
          const wait = preferredWaitSeconds(request.headers.get("prefer"));
          if (wait !== undefined) {
            set.headers["Preference-Applied"] = `wait=${wait}`;
            // The task is accepted whatever happens now: if the store goes away while
            // we wait, the client still gets its 201 and the id to poll later.
            const done = await backend.waitForTerminal(accepted.task.id, wait * 1000).catch(() => undefined);
            if (done && isTerminal(done.task.status)) return { taskId: done.task.id, status: 200, snapshot: done };
          }
          return { taskId: accepted.task.id, status: 201, snapshot: accepted };
        };
        const replay = async ({ taskId, status }: Answer): Promise<Answered | undefined> => {
          upload.lease.release();
          const snapshot = await backend.find(taskId);
          return snapshot && { taskId, status, snapshot };
        };
        const answer: Answered & { replayed?: true } = key
          ? await answerOnce(backend.idempotency, { client: upload.client, key, fingerprint: fingerprintOf(bytes, { ...knobs, ...hook }) }, first, replay)
          : await first();
        set.headers.location = `/result/${answer.taskId}`;
        if (key) set.headers["Idempotent-Replayed"] = String(answer.replayed === true);
        set.status = answer.status;
        const view = taskView(answer.snapshot);
        // A finished task (Prefer: wait, or a replay) carries its result: Elysia encodes that view as
        // the schema orders it. (The cast: Elysia's types take one kind of answer per handler.)
        if (isTerminal(answer.snapshot.task.status)) return view as unknown as Response;
        set.headers["Retry-After"] = retryAfterSeconds(view);
        // Almost every upload: its task still open, answered without Elysia's response encoding.
        return openViewAnswer(view, answer.status, set);
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
            if (!lease) throw refuse.inflightFull();
            uploads.set(request, { client, lease });
            const bytes = await readBody(request, {
              cap,
              timeoutMs: opts.uploadTimeoutMs,
              tooLarge: (n) => intake.tooLarge(n),
              onChunk:
                header === null
                  ? (n) => {
                      if (!lease.grow(n)) throw refuse.inflightFull();
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
        body: predictBody(opts.models),
        query: predictQuery(opts.models),
        headers: PredictHeaders,
        response: { 200: TaskView, 201: CreatedTaskView, ...uploadProblems(opts) },
        detail: {
          operationId: "submitImage",
          summary: "Submit an image for detection",
          description:
            "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
            `With \`Prefer: wait=N\` (N ≤ ${MAX_WAIT_S}) it waits up to N seconds and answers 200 with the finished task if it finished. ` +
            "Detection knobs (and `model`, which of the service's models runs it: GET /models) may be form fields or query parameters. Clients take turns in the queue. " +
            "429 when the queue, your own share of it (`client_queue_full`), memory or the uploads in flight are full (see `Retry-After`); " +
            "408 when the body does not arrive within `UPLOAD_TIMEOUT_MS`; 503 while the model loads or the service shuts down. " +
            "`webhook` (with `webhook_events_filter`) has the task's events POSTed to a public http(s) URL, signed per Standard Webhooks; a non-public URL gets 422 `webhook_url_forbidden`.",
        },
      },
    );
}
