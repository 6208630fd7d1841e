import { DomainError } from "../domain/errors";
import type { TaskBackend, TaskSnapshot } from "../backend/task-backend";
import { probeImage } from "../vision/probe-image";
import { sniffImageType } from "../vision/sniff";
import { type RawKnobs, resolveParams } from "./detect-params";

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

  async accept(bytes: Uint8Array, knobs: RawKnobs): Promise<TaskSnapshot> {
    this.checkSize(bytes.byteLength);
    await this.backend.admit(bytes.byteLength); // fail fast; submit() checks again, atomically
    const model = this.backend.model;
    if (!model) throw new DomainError("not_ready", "The model is still loading; try again shortly.", undefined, 2);
    if (bytes.byteLength === 0) throw new DomainError("unsupported_media_type", "The upload is empty.");
    const params = resolveParams(knobs, model.names);
    await sniffImageType(bytes);
    const header = await probeImage(bytes, this.limits.maxPixels);
    return this.backend.submit(bytes, { width: header.width, height: header.height }, params);
  }

  checkSize(bytes: number): void {
    if (bytes > this.limits.maxUploadBytes) this.tooLarge(bytes);
  }

  tooLarge(bytes: number): never {
    throw new DomainError("payload_too_large", `The upload is ${bytes} bytes; the limit is ${this.limits.maxUploadBytes} bytes.`);
  }
}
