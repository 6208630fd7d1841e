import { Elysia } from "elysia";
import { rejectRequest } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { TaskBackend } from "../backend/task-backend";
import type { Intake } from "../intake/intake";
import { apiKeyGuard } from "./api-key";
import { formToObject, readCapped } from "./capped-body";
import { PredictBody, PredictQuery, Problem, TaskView } from "./schemas";
import { preferredWaitSeconds } from "./prefer-wait";
import { retryAfterSeconds, taskView } from "./task-view";

/** Headroom for multipart boundaries and the small knob fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export function predictController(intake: Intake, backend: TaskBackend, maxUploadBytes: number, apiKey: string | undefined) {
  const guard = apiKeyGuard(apiKey);
  return new Elysia({ name: "predict", tags: ["Detection"] }).post(
    "/predict",
    async ({ body, query, set, request }) => {
      const { file, ...formKnobs } = body;
      const bytes = new Uint8Array(await file.arrayBuffer());
      // The copy above is the one the task holds: let the multipart File go,
      // so a Prefer: wait does not keep the upload twice.
      Reflect.deleteProperty(body, "file");
      // Form fields win over query parameters when both are given.
      const accepted = await intake.accept(bytes, { ...query, ...formKnobs });
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
      // (Bun's own limit would answer 413 with an empty body, so the server
      // sets it far above ours). A route parse hook replaces Elysia's parser
      // unless it returns nothing, hence the named "formdata" parser after it.
      parse: [
        async ({ request }) => {
          guard({ headers: { authorization: request.headers.get("authorization") ?? undefined, "x-api-key": request.headers.get("x-api-key") ?? undefined } });
          const type = request.headers.get("content-type") ?? "";
          if (!type.toLowerCase().startsWith("multipart/form-data")) throw rejectRequest.notMultipart();
          const cap = maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
          const declared = request.headers.get("content-length");
          if (declared !== null) {
            if (Number(declared) > cap) intake.tooLarge(Number(declared));
            await backend.admit(Number(declared));
            return; // Bun reads no further than the declared length: Elysia's parser takes it from here
          }
          await backend.admit(0);
          // No declared length (chunked): read at most the cap, never the whole stream.
          const bytes = await readCapped(request.body, cap, (n) => intake.tooLarge(n));
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
      response: { 200: TaskView, 201: TaskView, 401: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem, 503: Problem },
      detail: {
        summary: "Submit an image for detection",
        description:
          "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
          "With `Prefer: wait=N` (N ≤ 60) it waits up to N seconds and answers 200 with the finished task if it finished. " +
          "Detection knobs may be form fields or query parameters. 429 when the queue or memory is full (see `Retry-After`), " +
          "503 while the model loads or the service shuts down.",
        parameters: [
          { name: "Prefer", in: "header", required: false, schema: { type: "string", example: "wait=10" }, description: "`wait=N`: hold the answer up to N seconds (≤ 60) for the result" },
        ],
      },
    },
  );
}
