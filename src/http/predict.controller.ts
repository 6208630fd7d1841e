import { Elysia, t } from "elysia";
import { refuse, rejectRequest } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import type { Intake } from "../intake/intake";
import { imageSourcesOf } from "../intake/image-sources";
import { acceptImages, waitForAll } from "./accept-images";
import { formToObject, readBody } from "./capped-body";
import type { ClientIdentity } from "./client-identity";
import type { InflightBudget, Lease } from "./inflight-budget";
import { CreatedTaskView, TaskListView, TaskView } from "./schemas";
import { PredictHeaders, predictBody, predictQuery } from "./upload-schemas";
import { MAX_WAIT_S, preferredWaitSeconds } from "./prefer-wait";
import { jsonAnswer, openViewAnswer } from "./ready-answer";
import { retryAfterSeconds, taskView } from "./task-view";
import { type Answer, answerOnce, fingerprintOf, idempotencyKeyOf } from "./idempotency-key";
import { type ImageUrlPolicy, imagesOf, readSources } from "./request-images";
import { uploadProblems, type UploadLimits } from "./upload-problems";
import { COMPLETED_EXAMPLE, PENDING_EXAMPLE } from "./examples";
import { type WebhookPolicy, webhookOf } from "./webhook-field";

export type { UploadLimits };

/** An upload's answer: its tasks as answered (one, or one per image), and with which status. */
type Answered = Answer & { snapshots: TaskSnapshot[] };

/** Headroom for multipart boundaries and the small knob fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** A JSON body's cap: base64 takes 4 bytes for 3, plus the knob fields. */
export const jsonBodyCap = (maxUploadBytes: number) => Math.ceil((maxUploadBytes * 4) / 3) + MULTIPART_OVERHEAD_BYTES;

export interface PredictOptions extends UploadLimits {
  budget: InflightBudget;
  identity: ClientIdentity;
  webhooks: WebhookPolicy;
  imageUrls: ImageUrlPolicy;
}

/** Multipart fields arrive as strings; JSON brings class ids as numbers, which the knob takes as text. */
function jsonBody(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw rejectRequest.malformedBody();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw rejectRequest.malformedBody();
  const out = body as Record<string, unknown>;
  if (typeof out.classes === "number") out.classes = String(out.classes);
  if (Array.isArray(out.classes)) out.classes = out.classes.map(String);
  return out;
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
        const { file, image, url: bodyUrl, webhook: formHook, webhook_events_filter: formFilter, ...formKnobs } = body;
        const { url: queryUrl, webhook: queryHook, webhook_events_filter: queryFilter, ...queryKnobs } = query;
        // Form (or JSON) fields win over query parameters when both are given.
        const knobs = { ...queryKnobs, ...formKnobs };
        const hook = { webhook: formHook ?? queryHook, webhook_events_filter: formFilter ?? queryFilter };
        let read: (Uint8Array | string)[];
        try {
          // Files read and base64 decoded now; URLs stay text until a first answer fetches them.
          read = await readSources(imageSourcesOf({ file, image, url: bodyUrl ?? queryUrl }, opts.maxImagesPerRequest), opts.maxUploadBytes);
          // The copies above are the ones the tasks hold: let the parsed body go, so a Prefer: wait does not keep the upload twice.
          for (const field of ["file", "image"]) Reflect.deleteProperty(body, field);
        } catch (err) {
          upload.lease.release();
          throw err;
        }
        const several = read.length > 1;
        const first = async (): Promise<Answered> => {
          let accepted: TaskSnapshot[];
          try {
            const webhook = await webhookOf(hook.webhook, hook.webhook_events_filter, opts.webhooks);
            // Room for all of them before a URL is fetched for nothing; acceptImages checks again with their bytes.
            if (several && read.some((part) => typeof part === "string")) await backend.admit(0, upload.client, read.length);
            const images = await imagesOf(read, opts.maxUploadBytes, opts.imageUrls, upload.lease);
            accepted = await acceptImages(intake, backend, images, knobs, upload.client, webhook);
          } finally {
            // From here the uploads count against MAX_STORE_BYTES (or were refused): no longer in flight.
            upload.lease.release();
          }
          const taskIds = accepted.map((a) => a.task.id);
          const wait = preferredWaitSeconds(request.headers.get("prefer"));
          if (wait === undefined) return { taskIds, status: 201, snapshots: accepted };
          set.headers["Preference-Applied"] = `wait=${wait}`;
          const done = await waitForAll(backend, taskIds, wait * 1000);
          if (done) return { taskIds, status: 200, snapshots: done };
          // Not all finished: each as it stands now (read again; as accepted if the store cannot say).
          const now = await Promise.all(taskIds.map((id) => backend.find(id).catch(() => undefined)));
          return { taskIds, status: 201, snapshots: now.map((s, i) => s ?? accepted[i]) };
        };
        const replay = async ({ taskIds, status }: Answer): Promise<Answered | undefined> => {
          const snapshots = await Promise.all(taskIds.map((id) => backend.find(id)));
          if (!snapshots.every((s) => s !== undefined)) return undefined; // answered anew: the lease is still needed
          upload.lease.release();
          return { taskIds, status, snapshots: snapshots as TaskSnapshot[] };
        };
        const answer: Answered & { replayed?: true } = key
          ? await answerOnce(backend.idempotency, { client: upload.client, key, fingerprint: fingerprintOf(read, { ...knobs, ...hook }) }, first, replay)
          : await first();
        if (key) set.headers["Idempotent-Replayed"] = String(answer.replayed === true);
        set.status = answer.status;
        const views = answer.snapshots.map((s) => taskView(s));
        if (several) {
          // Several images: every task, each with its id and links; Retry-After for the slowest still open.
          const open = views.filter((v) => !isTerminal(v.status));
          if (open.length) set.headers["Retry-After"] = String(Math.max(...open.map((v) => Number(retryAfterSeconds(v)))));
          return jsonAnswer({ tasks: views }, answer.status, set);
        }
        const [view] = views;
        set.headers.location = `/result/${view.task_id}`;
        // A finished task (Prefer: wait, or a replay) carries its result: Elysia encodes that view as
        // the schema orders it. (The cast: Elysia's types take one kind of answer per handler.)
        if (isTerminal(view.status)) return view as unknown as Response;
        set.headers["Retry-After"] = retryAfterSeconds(view);
        // Almost every upload: its task still open, answered without Elysia's response encoding.
        return openViewAnswer(view, answer.status, set);
      },
      {
        // Runs before the body is read, so an unauthorised, oversized, unsupported
        // or unadmittable upload is refused without buffering it (its answer
        // closes the connection: see capped-body.ts). Bun's own limit would
        // answer 413 with an empty body, so the server sets it far above ours.
        // The body is then read here, against the in-flight budget and
        // UPLOAD_TIMEOUT_MS, and handed to Elysia parsed: a multipart form (files
        // always as a list) or a JSON object. The named "formdata" parser after
        // it never runs (ours always returns or throws); it tells the OpenAPI
        // document the body is multipart (docs.ts adds the JSON form).
        parse: [
          async ({ request, server }) => {
            const client = opts.identity.clientOf(request, server);
            const type = (request.headers.get("content-type") ?? "").toLowerCase();
            const json = type.startsWith("application/json");
            if (!json && !type.startsWith("multipart/form-data")) throw rejectRequest.notMultipart();
            const cap = json ? jsonBodyCap(opts.maxUploadBytes) : opts.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
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
            if (json) return jsonBody(new TextDecoder().decode(bytes));
            let form: Record<string, unknown>;
            try {
              form = formToObject(await new Response(bytes, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData());
            } catch {
              throw rejectRequest.malformedMultipart();
            }
            if (form.file !== undefined && !Array.isArray(form.file)) form.file = [form.file];
            return form;
          },
          "formdata",
        ],
        body: predictBody(opts.models),
        query: predictQuery(opts.models),
        headers: PredictHeaders,
        // One image answers its task; several, their list. The examples shown are the one-image answers.
        response: {
          200: t.Union([TaskView, TaskListView], { examples: [COMPLETED_EXAMPLE] }),
          201: t.Union([CreatedTaskView, TaskListView], { examples: [PENDING_EXAMPLE] }),
          ...uploadProblems(opts),
        },
        detail: {
          operationId: "submitImage",
          summary: "Submit one or several images for detection",
          description:
            "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
            `With \`Prefer: wait=N\` (N ≤ ${MAX_WAIT_S}) it waits up to N seconds and answers 200 with the finished task if it finished. ` +
            "The image is a multipart `file`, a `url` the service fetches (form field, query parameter or JSON field; public addresses only), or, with `Content-Type: application/json`, `image` in base64 (a data: URL too). " +
            `Several images (\`file\` repeated, or lists; at most ${opts.maxImagesPerRequest}) make one task each, answered together as \`{"tasks": […]}\`; \`Prefer: wait\` waits for all, and a request that does not fit the queue is refused whole. ` +
            "Detection knobs (and `model`, which of the service's models runs it: GET /models) may be form fields, JSON fields or query parameters. Clients take turns in the queue. " +
            "429 when the queue, your own share of it (`client_queue_full`), memory or the uploads in flight are full (see `Retry-After`); " +
            "408 when the body does not arrive within `UPLOAD_TIMEOUT_MS`; 422 `image_url_*` when a `url` cannot be fetched; 503 while the model loads or the service shuts down. " +
            "`webhook` (with `webhook_events_filter`) has the task's events POSTed to a public http(s) URL, signed per Standard Webhooks; a non-public URL gets 422 `webhook_url_forbidden`.",
        },
      },
    );
}
