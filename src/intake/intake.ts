import { refuse, rejectUpload, unknownModel } from "../domain/errors";
import { knownModels, modelFor } from "../model/catalogue";
import type { DetectParams, ImageSize } from "../domain/task";
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

/** The knobs of an upload, `model` among them. */
export type UploadKnobs = RawKnobs & { model?: string };

/** An image that passed every check: what its task is made of. */
export interface PreparedImage {
  bytes: Uint8Array;
  size: ImageSize;
  params: DetectParams;
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

  /**
   * One upload: refused early (its size, then room for it: `admit`, before the
   * rest of the checks), else prepared and queued. `client` is who sent it
   * (http/client-identity.ts): the lane it queues in.
   */
  async accept(bytes: Uint8Array, knobs: UploadKnobs, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot> {
    this.checkSize(bytes.byteLength);
    await this.backend.admit(bytes.byteLength, client); // fail fast; submit() checks again, atomically
    return this.submit(await this.prepare(bytes, knobs), client, webhook);
  }

  /**
   * Every check an image gets before it may become a task, and nothing
   * stored: the model (`model` names one of the service's models, absent the
   * default), the knobs against it, the bytes and the header. Several images
   * of one request are all prepared before any is submitted.
   */
  async prepare(bytes: Uint8Array, knobs: UploadKnobs): Promise<PreparedImage> {
    this.checkSize(bytes.byteLength);
    const { model: asked, ...detectKnobs } = knobs;
    const models = this.backend.models;
    if (!models) throw refuse.notReady();
    const known = knownModels(this.limits.models, models);
    const name = asked ?? known[0];
    if (!known.includes(name)) throw unknownModel(name, known);
    // Named, but described by no worker yet (Redis: no process holds it).
    const model = modelFor(models, name);
    if (!model) throw refuse.modelUnavailable(name);
    if (bytes.byteLength === 0) throw rejectUpload.empty();
    const params = { ...resolveParams(detectKnobs, model), model: model.name };
    await sniffImageType(bytes);
    const header = await probeImage(bytes, this.limits.maxPixels);
    return { bytes, size: { width: header.width, height: header.height }, params };
  }

  /** Queues a prepared image in `client`'s lane (the backend admits it again, atomically). */
  submit(image: PreparedImage, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot> {
    return this.backend.submit(image.bytes, image.size, image.params, client, webhook);
  }

  checkSize(bytes: number): void {
    if (bytes > this.limits.maxUploadBytes) this.tooLarge(bytes);
  }

  tooLarge(bytes: number): never {
    throw rejectUpload.tooLarge(bytes, this.limits.maxUploadBytes);
  }
}
