import { refuse, rejectUpload } from "../domain/errors";
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
  async accept(bytes: Uint8Array, knobs: RawKnobs, client: string, webhook?: WebhookRequest): Promise<TaskSnapshot> {
    this.checkSize(bytes.byteLength);
    await this.backend.admit(bytes.byteLength, client); // fail fast; submit() checks again, atomically
    const model = this.backend.model;
    if (!model) throw refuse.notReady();
    if (bytes.byteLength === 0) throw rejectUpload.empty();
    const params = resolveParams(knobs, model.names);
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
