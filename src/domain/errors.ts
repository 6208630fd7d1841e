/**
 * Every failure the service can report, by stable code, in its groups. The
 * domain only names what went wrong; src/http/problem.ts alone decides which
 * HTTP status it gets.
 */
export const ERROR_CODES = {
  /** rejected at upload */
  upload: [
    "payload_too_large", "unsupported_media_type", "not_multipart", "missing_file", "unreadable_image", "too_many_pixels",
    "invalid_parameter", "validation_failed", "malformed_request", "unauthorized", "webhook_url_forbidden", "webhooks_disabled",
    "idempotency_key_reused", "idempotency_in_progress", "unknown_model", "too_many_images",
    "image_url_forbidden", "image_url_too_large", "image_url_not_image", "image_url_unreachable", "image_url_timeout",
  ],
  /** backpressure */
  backpressure: ["queue_full", "memory_full", "client_queue_full", "inflight_full", "upload_timeout"],
  /** lookups */
  lookup: ["task_not_found", "route_not_found", "result_not_ready", "no_annotated_image", "task_finished"],
  /** service state */
  service: ["not_ready", "draining", "backend_unavailable", "model_unavailable", "too_many_subscribers", "internal_error"],
  /** a task that was accepted and then failed: in its `error`, never a response's status */
  task: ["decode_failed", "inference_failed", "worker_crashed", "worker_lost", "timeout"],
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES][number];

/**
 * Every code an upload (POST /predict) can be refused with: what /metrics counts
 * by reason and what the upload's OpenAPI errors must show, each one (the
 * controller's samples are keyed by it, so the compiler finds a missing one).
 */
export const UPLOAD_REFUSALS = [...ERROR_CODES.upload, ...ERROR_CODES.backpressure, "not_ready", "draining", "backend_unavailable", "model_unavailable", "internal_error"] as const;
export type UploadRefusal = (typeof UPLOAD_REFUSALS)[number];

/** Why an accepted task failed, as its record and its view carry it. */
export interface TaskError {
  code: ErrorCode;
  message: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    /** when the client may try again, in seconds (backpressure, not ready) */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Seconds a client is told to wait when the service is starting, its store is unreachable, or uploads in flight are at their budget (they finish or time out). */
export const RETRY_SOON_S = 2;
/** Seconds a client is told to wait when this process is shutting down (another replica may take it). */
export const RETRY_DRAINING_S = 5;

/**
 * The one place each refusal's message and Retry-After is written. Backends,
 * the intake and the controllers throw these; nothing else spells them out.
 */
export const refuse = {
  draining: () => new DomainError("draining", "The service is shutting down; try another replica or later.", undefined, RETRY_DRAINING_S),
  notReady: () => new DomainError("not_ready", "The model is still loading; try again shortly.", undefined, RETRY_SOON_S),
  queueFull: (queueMax: number, retryAfterS: number) =>
    new DomainError("queue_full", `The queue is full (${queueMax} tasks waiting, QUEUE_MAX); retry later.`, undefined, retryAfterS),
  /** the bytes the tasks hold are at MAX_STORE_BYTES */
  memoryFull: (retryAfterS: number) => new DomainError("memory_full", "The service holds as much image data as it may (MAX_STORE_BYTES); retry later.", undefined, retryAfterS),
  /** Redis is at its maxmemory and refuses writes: the same backpressure, from the store's own limit */
  redisMemoryFull: (retryAfterS: number) => new DomainError("memory_full", "The task store (Redis) is at its memory limit; retry later.", undefined, retryAfterS),
  /** other clients wait too, and this one has as many tasks waiting as one client then may; others are still admitted */
  clientQueueFull: (clientQueueMax: number, retryAfterS: number) =>
    new DomainError(
      "client_queue_full",
      `You have ${clientQueueMax} tasks waiting, as many as one client may while others wait too (CLIENT_QUEUE_MAX); retry once one has started.`,
      undefined,
      retryAfterS,
    ),
  /** this client has tasks waiting, and the queue's last places are kept for clients with none */
  clientReserve: (queueMax: number, reserve: number, retryAfterS: number) =>
    new DomainError(
      "client_queue_full",
      `You have tasks waiting, and the last ${reserve} of the queue's ${queueMax} places (QUEUE_MAX) are kept for clients with none; retry once one has started.`,
      undefined,
      retryAfterS,
    ),
  /** the bytes of request bodies being received (for everyone, or this client's share) are at their budget */
  inflightFull: () => new DomainError("inflight_full", "Too many uploads are arriving at once; retry shortly.", undefined, RETRY_SOON_S),
  uploadTimeout: (ms: number) => new DomainError("upload_timeout", `The upload did not arrive within ${ms} ms; the connection is closed.`),
  backendUnavailable: () => new DomainError("backend_unavailable", "The task store (Redis) cannot be reached; retry shortly.", undefined, RETRY_SOON_S),
  /** on Redis: no live inference process holds the model the upload asks for */
  modelUnavailable: (model: string) =>
    new DomainError("model_unavailable", `No inference process holds the model "${model}" now; retry later, or choose another (GET /models).`, undefined, RETRY_SOON_S),
  taskNotFound: () => new DomainError("task_not_found", "No task with this id (it may have expired)."),
  /** the service-wide event stream has as many listeners as it serves */
  tooManySubscribers: (max: number) =>
    new DomainError("too_many_subscribers", `The service's event stream already has ${max} listeners; retry later.`, undefined, RETRY_SOON_S),
  taskFinished: (status: string) => new DomainError("task_finished", `The task is already ${status}.`),
};

/** Why an accepted task failed: the one place each failure's message is written. */
export const taskFailure = {
  crashed: (): TaskError => ({ code: "worker_crashed", message: "The inference worker stopped while processing this image." }),
  lost: (): TaskError => ({ code: "worker_lost", message: "The inference process stopped while processing this image, more times than allowed." }),
  jobLost: (): TaskError => ({ code: "worker_lost", message: "The task's job was lost by the queue (its inference process stopped); submit the image again." }),
  timeout: (ms: number): TaskError => ({ code: "timeout", message: `Processing took longer than ${ms} ms and was stopped.` }),
  notHandedOver: (): TaskError => ({ code: "inference_failed", message: "The image could not be handed to a worker." }),
  inferenceFailed: (): TaskError => ({ code: "inference_failed", message: "Inference failed on this image." }),
  noModel: (): TaskError => ({ code: "inference_failed", message: "The worker has no model loaded." }),
  /** a task whose model this worker does not hold (on Redis, a process that left the model out) */
  modelNotHeld: (model: string): TaskError => ({ code: "inference_failed", message: `The worker does not hold the model "${model}".` }),
  uploadGone: (): TaskError => ({ code: "inference_failed", message: "The upload was no longer stored." }),
  resultNotStored: (): TaskError => ({ code: "inference_failed", message: "The result could not be stored; submit the image again." }),
  notQueued: (): TaskError => ({ code: "backend_unavailable", message: "The task could not be queued." }),
};


/** A thrown error as a task failure: a domain error keeps its code and message, anything else is a generic failure. */
export function asTaskFailure(err: unknown, fallback: () => TaskError = taskFailure.inferenceFailed): TaskError {
  return err instanceof DomainError ? { code: err.code, message: err.message } : fallback();
}

/** Requests refused for their form, before anything in them is looked at. */
export const rejectRequest = {
  unauthorized: () => new DomainError("unauthorized", "Send the API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`."),
  notMultipart: () => new DomainError("not_multipart", "Send the image as multipart/form-data (a `file` part, or a `url` field) or as application/json (`image` in base64, or `url`)."),
  malformedMultipart: () => new DomainError("malformed_request", "The multipart body could not be parsed."),
  /** Elysia could not parse the body it was given (a JSON or form body gone wrong). */
  malformedBody: () => new DomainError("malformed_request", "The request body could not be parsed."),
  missingFile: () => new DomainError("missing_file", "Send an image: a multipart/form-data `file` part, a `url` field or parameter, or JSON `image` (base64)."),
  /** Knobs or fields that break their schema; `fields` says which and why. */
  invalidFields: (fields: FieldError[]) => new DomainError("validation_failed", `Invalid ${fields.map((e) => e.field).join(", ")}.`, fields),
  /** `path` is echoed back, so the caller bounds it. */
  noRoute: (method: string, path: string) => new DomainError("route_not_found", `No route for ${method} ${path}.`),
  noDocsAsset: () => new DomainError("route_not_found", "No such documentation asset."),
};

/** Webhook URLs and Idempotency-Key uses refused at upload. */
export const refuseUpload = {
  /** `why` names the rule broken; the URL itself is the client's and is not echoed */
  webhookForbidden: (why: string) =>
    new DomainError("webhook_url_forbidden", `The webhook URL is not allowed: ${why}.`, [{ field: "webhook", message: why }]),
  webhooksDisabled: () => new DomainError("webhooks_disabled", "Webhooks are not enabled on this service (no WEBHOOK_SECRET)."),
  idempotencyKeyReused: () =>
    new DomainError("idempotency_key_reused", "This Idempotency-Key was already used with a different request (other image or parameters)."),
  idempotencyInProgress: () =>
    new DomainError("idempotency_in_progress", "A request with this Idempotency-Key is still being answered; retry in a moment.", undefined, 1),
};

/** Our own failure while answering; never says what went wrong: the log does. */
export const serverFault = {
  unexpected: () => new DomainError("internal_error", "Something went wrong on our side."),
};

/** Uploads refused for their size, their bytes, their header or their knobs. */
export const rejectUpload = {
  tooLarge: (bytes: number, limit: number) =>
    new DomainError("payload_too_large", `The upload is ${bytes} bytes; the limit is ${limit} bytes.`),
  empty: () => new DomainError("unsupported_media_type", "The upload is empty."),
  /** `seen` is what the bytes look like ("application/pdf (.pdf)" or "not a recognised image"). */
  notAnAcceptedImage: (seen: string, accepted: Iterable<string>) =>
    new DomainError("unsupported_media_type", `The upload is ${seen}. Accepted formats: ${[...accepted].join(", ")}.`),
  unreadableHeader: () => new DomainError("unreadable_image", "The image header could not be read."),
  headerWithoutSize: () => new DomainError("unreadable_image", "The image header has no dimensions."),
  tooManyPixels: (width: number, height: number, maxPixels: number) =>
    new DomainError("too_many_pixels", `The image is ${width}×${height} (${width * height} pixels); the limit is ${maxPixels} pixels.`),
  /** `shown` are the unknown tokens, already quoted and cut short: they echo client input. */
  unknownClasses: (shown: string[], classCount: number) => {
    const what = `unknown class ${shown.join(", ")}`;
    return new DomainError("invalid_parameter", `classes: ${what}. The model knows ids 0-${classCount - 1} and their names (see GET /models).`, [
      { field: "classes", message: `${what}; use ids 0-${classCount - 1} or class names` },
    ]);
  },
};

/**
 * An image given by URL (`url`) that could not be had: each reason its own
 * code, all 422 (the request was fine; the image behind it is not usable).
 * `why` never echoes more of the URL than its host.
 */
export const refuseImageUrl = {
  forbidden: (why: string) => new DomainError("image_url_forbidden", `url: not fetched: ${why}.`, [{ field: "url", message: why }]),
  tooLarge: (limit: number) => new DomainError("image_url_too_large", `url: the image is larger than ${limit} bytes (MAX_UPLOAD_BYTES); reading stopped there.`, [{ field: "url", message: `larger than ${limit} bytes` }]),
  notAnImage: (seen: string) => new DomainError("image_url_not_image", `url: what it serves is ${seen}, not an accepted image.`, [{ field: "url", message: `not an image (${seen})` }]),
  unreachable: (why: string) => new DomainError("image_url_unreachable", `url: ${why}.`, [{ field: "url", message: why }]),
  timedOut: (ms: number) => new DomainError("image_url_timeout", `url: the image did not arrive within ${ms} ms (IMAGE_URL_TIMEOUT_MS).`, [{ field: "url", message: `no image within ${ms} ms` }]),
};

/** More images in one request than MAX_IMAGES_PER_REQUEST: refused whole, before any is read further. */
export function tooManyImages(count: number, max: number): DomainError {
  return new DomainError("too_many_images", `The request holds ${count} images; at most ${max} may come in one request (MAX_IMAGES_PER_REQUEST).`);
}

/** An upload's `model` names none of the service's models: the answer lists them. */
export function unknownModel(asked: string, names: readonly string[]): DomainError {
  const shown = JSON.stringify(asked.slice(0, 64));
  const list = names.join(", ");
  return new DomainError("unknown_model", `model: ${shown} is not one of this service's models: ${list}.`, [{ field: "model", message: `must be one of ${list}` }]);
}

/** Why GET /result/{id}/image has no JPEG to give. */
export const missingImage = {
  notFinished: (status: string, taskId: string) => new DomainError("result_not_ready", `The task is ${status}; poll /result/${taskId}.`),
  annotateOff: () => new DomainError("no_annotated_image", "The task ran with annotate=false."),
  /** for a failed or canceled task */
  taskUnsuccessful: (status: string) =>
    new DomainError("no_annotated_image", `The task ${status === "failed" ? "failed" : "was canceled"}; there is no image.`),
};

/** Thrown where an accepted image is processed; asTaskFailure turns it into the task's error. */
export const imageFailure = {
  undecodable: () => new DomainError("decode_failed", "The image could not be decoded: it may be truncated or corrupt."),
};

/** Every code a task can end `failed` with, read off the factories that make them (a task that could not be queued gets `backend_unavailable`). */
export function taskFailureCodes(): ReadonlySet<ErrorCode> {
  const made = [...Object.values(taskFailure).map((make) => (make as (ms: number) => TaskError)(0)), ...Object.values(imageFailure).map((make) => make())];
  return new Set(made.map((e) => e.code));
}
