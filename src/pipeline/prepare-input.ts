import type { DetectParams, Region } from "../domain/task";
import { type DecodeLimits, decodeUpright, type RawImage } from "../vision/decode";
import { shrinkForAnnotation } from "../vision/annotation-copy";
import type { LetterboxGeometry } from "../detect/letterbox";
import { letterboxTensor } from "../detect/tensor";

/** What the model and the annotation need from one upload. */
export interface PreparedInput {
  tensor: Float32Array;
  /** the decoded upright image, shrunk for annotation when annotating; drawn on later */
  image: RawImage | undefined;
  geometry: LetterboxGeometry;
  ms: number;
}

/**
 * Decode once at full size, as Ultralytics' predictor does (OpenCV's imdecode),
 * then resize, pad and convert to CHW in one pass into `into` (the worker's
 * reused buffer). Shrinking in the decode would be cheaper for large photos,
 * but libjpeg's scaled decode averages pixels that OpenCV's INTER_LINEAR skips,
 * and the answers would then no longer be Ultralytics'. The annotation gets a
 * copy shrunk to `annotatedMaxSide` (0 = full size).
 */
export async function prepareInput(
  bytes: Uint8Array,
  /** where the image (or the region) goes in the model's input (src/detect/placement.ts) */
  geometry: LetterboxGeometry,
  params: Pick<DetectParams, "annotate">,
  limits: DecodeLimits,
  annotatedMaxSide: number,
  into: Float32Array,
  /** only this part of the image (a tile); the geometry's source is then its size */
  region?: Region,
): Promise<PreparedInput> {
  const t0 = performance.now();
  const decoded = await decodeUpright(bytes, 0, limits, region);
  const tensor = letterboxTensor(decoded, geometry, into);
  const image = params.annotate ? await shrinkForAnnotation(decoded, annotatedMaxSide) : undefined;
  return { tensor, image, geometry, ms: performance.now() - t0 };
}
