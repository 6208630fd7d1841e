import type { DetectParams, Region } from "../domain/task";
import { type DecodeLimits, decodeUpright, type RawImage } from "../vision/decode";
import { resizeForModel } from "../vision/letterbox-image";
import type { LetterboxGeometry } from "../detect/letterbox";
import { letterboxTensor } from "../detect/tensor";

/** What the model and the annotation need from one upload. */
export interface PreparedInput {
  tensor: Float32Array;
  /** the decoded upright image, shrunk for annotation; drawn on later */
  image: RawImage;
  geometry: LetterboxGeometry;
  ms: number;
}

/**
 * Decode once, resize, then pad and convert to CHW in one pass. The decode is as large as the annotation
 * needs (annotatedMaxSide, 0 = full size), never smaller than the model's
 * input; without annotation, just the model's input size.
 */
export async function prepareInput(
  bytes: Uint8Array,
  /** where the image (or the region) goes in the model's input (src/detect/placement.ts) */
  geometry: LetterboxGeometry,
  params: Pick<DetectParams, "annotate">,
  limits: DecodeLimits,
  annotatedMaxSide: number,
  /** only this part of the image (a tile); the geometry's source is then its size */
  region?: Region,
): Promise<PreparedInput> {
  const t0 = performance.now();
  const modelSide = Math.max(geometry.dstW, geometry.dstH);
  const maxSide = params.annotate ? (annotatedMaxSide > 0 ? Math.max(annotatedMaxSide, modelSide) : 0) : modelSide;
  const image = await decodeUpright(bytes, maxSide, limits, region);
  const tensor = letterboxTensor(await resizeForModel(image, geometry), geometry);
  return { tensor, image, geometry, ms: performance.now() - t0 };
}
