import { type DomainError, refuse, refuseImageUrl, refuseUpload, rejectRequest, rejectUpload, serverFault, tooManyImages, unknownModel, type UploadRefusal } from "../domain/errors";
import { ACCEPTED_MIME } from "../intake/intake";
import { knobErrors } from "./knob-errors";
import { problemResponses } from "./problem-docs";

/** The limits an upload is held to, as configured: its refusals in the OpenAPI document quote them. */
export interface UploadLimits {
  maxUploadBytes: number;
  uploadTimeoutMs: number;
  maxPixels: number;
  maxImagesPerRequest: number;
  imageUrlTimeoutMs: number;
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
export function uploadProblems(limits: UploadLimits) {
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
    too_many_images: tooManyImages(limits.maxImagesPerRequest + 1, limits.maxImagesPerRequest),
    image_url_forbidden: refuseImageUrl.forbidden("it resolves to a private address (only public addresses are allowed)"),
    image_url_too_large: refuseImageUrl.tooLarge(limits.maxUploadBytes),
    image_url_not_image: refuseImageUrl.notAnImage("text/html"),
    image_url_unreachable: refuseImageUrl.unreachable("images.example.com answered HTTP 404"),
    image_url_timeout: refuseImageUrl.timedOut(limits.imageUrlTimeoutMs),
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
