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
      set.status = 201;
      set.headers.location = `/result/${task.id}`;
      set.headers["retry-after"] = retryAfterSeconds(task, runner);
      return taskView(task, runner);
    },
    {
      // Runs before the body is read, so an oversized or non-multipart upload
      // is refused without buffering it (Bun's own limit would answer 413
      // with an empty body, so the server sets it far above ours).
      parse: async ({ request }) => {
        const type = request.headers.get("content-type") ?? "";
        if (!type.toLowerCase().startsWith("multipart/form-data")) {
          throw new DomainError("not_multipart", "Send the image as multipart/form-data with a field named `file`.");
        }
        const cap = maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
        const declared = request.headers.get("content-length");
        if (declared !== null && Number(declared) > cap) intake.tooLarge(Number(declared));
        // With a declared length Bun stops reading at it; without one, read at most the cap.
        const source = declared !== null ? request : new Response(await readCapped(request.body, cap, (n) => intake.tooLarge(n)), { headers: { "content-type": type } });
        try {
          return formToObject(await source.formData());
        } catch {
          throw new DomainError("malformed_request", "The multipart body could not be parsed.");
        }
      },
      body: PredictBody,
      query: PredictQuery,
      response: { 201: TaskView, 413: Problem, 415: Problem, 422: Problem, 503: Problem },
      detail: {
        summary: "Submit an image for detection",
        description:
          "Answers 201 at once with a pending task, a `Location` to poll and a `Retry-After`. " +
          "Detection knobs may be form fields or query parameters.",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file"],
                properties: {
                  file: { type: "string", format: "binary", description: "The image" },
                  conf: { type: "number", minimum: 0, maximum: 1, default: 0.25 },
                  iou: { type: "number", minimum: 0, maximum: 1, default: 0.45 },
                  max_det: { type: "integer", minimum: 1, maximum: 300, default: 300 },
                  classes: { type: "string", description: "ids or names, comma-separated", example: "dog,car" },
                  annotate: { type: "boolean", default: true },
                  agnostic_nms: { type: "boolean", default: false },
                },
              },
            },
          },
        },
      },
    },
  );
}
