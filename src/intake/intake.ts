import { refuse, rejectUpload, unknownModel } from "../domain/errors";
import { modelFor } from "../model/catalogue";
import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import { probeImage } from "../vision/probe-image";
import { sniffImageType } from "../vision/sniff";
import type { RawKnobs } from "../domain/knobs";
import type { WebhookRequest } from "../domain/webhook";
import { resolveParams } from "./detect-params";

/** The image formats an upload may be (those this build of sharp decodes). */
export { ACCEPTED_MIME } from "../vision/sniff";

export interface IntakeLimits {
  maxUploadBytes: number;
  maxPixels: number;
  /** the models this process was told of (MODELS), the default first; none on an API replica told nothing */
  models: readonly string[];
}

/**
 * Accepts an upload or refuses it early, cheapest check first: size, then the
 * magic bytes, then the image header. Nothing here decodes pixels; that
 * happens in a worker.
 */
export class Intake {
  constructor(
    private readonly backend: TaskBackend,
    private readonly limits: IntakeLimits,
  ) {}

  /** `client` is who sent it (http/client-identity.ts): the lane it queues in. */
  /** `model` names one of the service's models (absent: the default); the task's parameters then name it. */
  async accept(bytes: Uint8Array, knobs: RawKnobs & { model?: string }, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot> {
    this.checkSize(bytes.byteLength);
    await this.backend.admit(bytes.byteLength, client); // fail fast; submit() checks again, atomically
    const { model: asked, ...detectKnobs } = knobs;
    const models = this.backend.models;
    if (!models) throw refuse.notReady();
    // The configured default comes first even before any worker has described it (Redis: none holds it yet).
    const known = [...new Set([...this.limits.models, ...models.map((m) => m.name)])];
    const name = asked ?? known[0];
    if (!known.includes(name)) throw unknownModel(name, known);
    const model = modelFor(models, name);
    if (!model) throw refuse.modelUnavailable(name);
    if (bytes.byteLength === 0) throw rejectUpload.empty();
    const params = { ...resolveParams(detectKnobs, model), model: model.name };
    await sniffImageType(bytes);
    const header = await probeImage(bytes, this.limits.maxPixels);
    return this.backend.submit(bytes, { width: header.width, height: header.height }, params, client, webhook);
  }

  checkSize(bytes: number): void {
    if (bytes > this.limits.maxUploadBytes) this.tooLarge(bytes);
  }

  tooLarge(bytes: number): never {
    throw rejectUpload.tooLarge(bytes, this.limits.maxUploadBytes);
  }
}
