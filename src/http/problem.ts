import type { ErrorCode, FieldError } from "../domain/errors";

/** The only place domain error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_multipart: 415,
  missing_file: 422,
  unreadable_image: 422,
  too_many_pixels: 422,
  invalid_parameter: 422,
  validation_failed: 422,
  malformed_request: 400,
  unauthorized: 401,
  webhook_url_forbidden: 422,
  webhooks_disabled: 422,
  idempotency_key_reused: 422,
  // 409: the same request is being answered; retrying shortly gets its answer.
  idempotency_in_progress: 409,
  unknown_model: 422,
  too_many_images: 422,
  image_url_forbidden: 422,
  image_url_too_large: 422,
  image_url_not_image: 422,
  image_url_unreachable: 422,
  image_url_timeout: 422,
  queue_full: 429,
  memory_full: 429,
  client_queue_full: 429,
  // 429, not 503: it is backpressure that clears in seconds, and a proxy or load
  // balancer may take a 503 for a sick backend and stop routing to it.
  inflight_full: 429,
  upload_timeout: 408,
  task_not_found: 404,
  route_not_found: 404,
  result_not_ready: 409,
  no_annotated_image: 404,
  task_finished: 409,
  not_ready: 503,
  draining: 503,
  backend_unavailable: 503,
  model_unavailable: 503,
  too_many_subscribers: 503,
  internal_error: 500,
  // ERROR_CODES.task: reported inside a 200 task body; these statuses apply
  // only if one ever reaches the HTTP layer directly.
  decode_failed: 422,
  inference_failed: 500,
  worker_crashed: 500,
  worker_lost: 500,
  timeout: 504,
};

const TITLE: Record<ErrorCode, string> = {
  payload_too_large: "Upload too large",
  unsupported_media_type: "Unsupported image type",
  not_multipart: "Expected a multipart/form-data upload",
  missing_file: "No file in the upload",
  unreadable_image: "Unreadable image",
  too_many_pixels: "Image has too many pixels",
  invalid_parameter: "Invalid parameter",
  validation_failed: "Invalid request",
  malformed_request: "Malformed request",
  unauthorized: "Missing or wrong API key",
  webhook_url_forbidden: "Webhook URL not allowed",
  webhooks_disabled: "Webhooks not enabled",
  idempotency_key_reused: "Idempotency-Key reused for another request",
  idempotency_in_progress: "Request with this Idempotency-Key in progress",
  unknown_model: "Unknown model",
  too_many_images: "Too many images in one request",
  image_url_forbidden: "Image URL not allowed",
  image_url_too_large: "Image at URL too large",
  image_url_not_image: "Image URL serves no image",
  image_url_unreachable: "Image URL unreachable",
  image_url_timeout: "Image URL too slow",
  queue_full: "Queue full",
  memory_full: "Too much data held",
  client_queue_full: "Too many tasks of yours waiting",
  inflight_full: "Too many uploads arriving",
  upload_timeout: "Upload too slow",
  task_not_found: "Task not found",
  route_not_found: "Not found",
  result_not_ready: "Result not ready",
  no_annotated_image: "No annotated image",
  task_finished: "Task already finished",
  not_ready: "Service not ready",
  too_many_subscribers: "Too many event streams",
  draining: "Service shutting down",
  backend_unavailable: "Task store unreachable",
  model_unavailable: "Model not held by any inference process",
  internal_error: "Internal error",
  decode_failed: "Image could not be decoded",
  inference_failed: "Inference failed",
  worker_crashed: "Worker crashed",
  worker_lost: "Inference process lost",
  timeout: "Processing timed out",
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Every code with its status and title, in the order above: what docs/api.md's table lists. */
export const PROBLEMS = (Object.keys(STATUS) as ErrorCode[]).map((code) => ({ code, status: STATUS[code], title: TITLE[code] }));

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
}

/** RFC 9457 problem details; `code` is the stable, machine-readable part. */
export function problemBody(code: ErrorCode, detail: string, extra: { instance?: string; errors?: FieldError[] } = {}): ProblemBody {
  return {
    type: `urn:yolo-detect:problem:${code}`,
    title: TITLE[code],
    status: STATUS[code],
    detail,
    code,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(extra.errors?.length ? { errors: extra.errors } : {}),
  };
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
