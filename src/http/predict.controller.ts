import { Elysia } from "elysia";
import { DomainError } from "../domain/errors";
import { formToObject, readCapped } from "./capped-body";
import type { Runner } from "../runner/runner";
import type { Intake } from "../service/intake";
import { PredictBody, PredictQuery, Problem, TaskView } from "./model";
import { retryAfterSeconds, taskView } from "./task-view";

/** Headroom for multipart boundaries and the small knob fields around the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export function predictController(intake: Intake, runner: Runner, maxUploadBytes: number) {
  return new Elysia({ name: "predict", tags: ["Detection"] }).post(
    "/predict",
    async ({ body, query, set }) => {
      const { file, ...formKnobs } = body;
      const bytes = new Uint8Array(await file.arrayBuffer());
      // Form fields win over query parameters when both are given.
      const task = await intake.accept(bytes, { ...query, ...formKnobs });
      const view = taskView(task, runner);
      set.status = 201;
      set.headers.location = `/result/${task.id}`;
      set.headers["retry-after"] = retryAfterSeconds(view);
      return view;
    },
    {
      // Runs before the body is read, so an oversized or non-multipart upload
      // is refused without buffering it (Bun's own limit would answer 413
      // with an empty body, so the server sets it far above ours).
      parse: [
        async ({ request }) => {
          const type = request.headers.get("content-type") ?? "";
          if (!type.toLowerCase().startsWith("multipart/form-data")) {
            throw new DomainError("not_multipart", "Send the image as multipart/form-data with a field named `file`.");
          }
          const cap = maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
          const declared = request.headers.get("content-length");
          if (declared !== null) {
            if (Number(declared) > cap) intake.tooLarge(Number(declared));
            return; // Bun reads no further than the declared length: Elysia's parser takes it from here
          }
          // No declared length (chunked): read at most the cap, never the whole stream.
          const bytes = await readCapped(request.body, cap, (n) => intake.tooLarge(n));
          try {
            return formToObject(await new Response(bytes, { headers: { "content-type": type } }).formData());
          } catch {
            throw new DomainError("malformed_request", "The multipart body could not be parsed.");
          }
        },
        "formdata",
      ],
      body: PredictBody,
      query: PredictQuery,
      response: { 201: TaskView, 413: Problem, 415: Problem, 422: Problem, 503: Problem },
      detail: {
        summary: "Submit an image for detection",
        description:
          "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
          "Detection knobs may be form fields or query parameters.",
      },
    },
  );
}
