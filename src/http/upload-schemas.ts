import { t } from "elysia";
import { DetectKnobs } from "./knob-schema";
import { IDEMPOTENCY_KEY_MAX } from "./idempotency-key";
import { MAX_WAIT_S } from "./prefer-wait";
import { WEBHOOK_URL_MAX } from "../webhook/webhook-url";

/**
 * The upload's request schemas (POST /predict): its images, its knobs (from
 * src/domain/knobs.ts), `model`, the webhook fields and the headers. They
 * validate, type the handler and write the OpenAPI document (docs.ts adds the
 * JSON form of the body).
 */
const EVENTS_FILTER = "^(start|completed)(,(start|completed))*$";

/** A webhook for the task's events, as form fields or query parameters beside the knobs. */
export const WebhookFields = {
  webhook: t.Optional(
    // An empty example: Swagger UI would otherwise pre-fill "string" and send every "Try it out" upload with a webhook (empty means none).
    t.String({ maxLength: WEBHOOK_URL_MAX, examples: [""], description: "URL to POST the task's events to (signed per Standard Webhooks; http(s), public addresses only), e.g. https://example.com/hooks/detect" }),
  ),
  webhook_events_filter: t.Optional(
    t.Union([t.String({ pattern: EVENTS_FILTER }), t.Array(t.String({ pattern: EVENTS_FILTER }))], {
      description: "which events to send: `start`, `completed` (also covers failed and canceled), comma-separated or repeated (default: completed)",
    }),
  ),
};

/**
 * `model`, naming the running service's models (`names`, the default first; none known: any name, checked by the intake).
 * The schema lists them for the OpenAPI document; an unknown name is still the intake's 422 unknown_model, which lists them.
 */
export function modelField(names: readonly string[]) {
  const which = names.length ? `: ${names.map((n) => `\`${n}\``).join(", ")}` : " (GET /models)";
  return {
    model: t.Optional(
      t.String({ maxLength: 64, ...(names.length ? { examples: [names[0]] } : {}), description: `The model that runs the image, by name${which} (default: ${names[0] ? `\`${names[0]}\`` : "the first"})` }),
    ),
  };
}

/** `url`: an image the service fetches, as a form field, JSON field or query parameter; repeated (or a list) for several. */
const UrlField = {
  url: t.Optional(
    t.Union([t.String({ maxLength: 2048 }), t.Array(t.String({ maxLength: 2048 }))], {
      description: "An http(s) URL of the image, fetched by the service (public addresses only, every hop checked; MAX_UPLOAD_BYTES, IMAGE_URL_TIMEOUT_MS), instead of a file; repeated for several",
    }),
  ),
};

export const predictBody = (names: readonly string[]) =>
  t.Object({
    file: t.Optional(t.Files({ description: "The image: JPEG, PNG, WebP, GIF (first frame), AVIF or TIFF; repeat the part for several (one task each)" })),
    image: t.Optional(
      t.Union([t.String(), t.Array(t.String())], { description: "With Content-Type: application/json: the image in base64 (or a data: URL); a list for several" }),
    ),
    ...UrlField,
    ...modelField(names),
    ...DetectKnobs,
    ...WebhookFields,
  });
export const predictQuery = (names: readonly string[]) => t.Object({ ...UrlField, ...modelField(names), ...DetectKnobs, ...WebhookFields });
export const PredictQuery = predictQuery([]);

/**
 * The upload's optional headers, here so the document lists them (Elysia
 * drops hand-written `detail.parameters`). Their rules stay where they are
 * read: prefer-wait.ts and idempotency-key.ts. No examples: Swagger UI would
 * send them with every "Try it out".
 */
export const PredictHeaders = t.Object({
  prefer: t.Optional(t.String({ description: `\`wait=N\`: hold the answer up to N seconds (≤ ${MAX_WAIT_S}) for the result` })),
  "idempotency-key": t.Optional(
    t.String({
      description:
        `Retry-safe uploads (1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters)` +
        ": the same key and request within TASK_TTL_S answer the first task again, with " +
        "`Idempotent-Replayed: true`; another request with the key gets 422, and one while the first is still being answered gets 409",
    }),
  ),
});
