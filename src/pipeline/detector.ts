import { letterboxGeometry, unletterboxBox } from "../detect/letterbox";
import { decodeDetections, nonMaxSuppression } from "../detect/postprocess";
import type { DetectParams, Detection, ImageSize, InferenceResult, Region } from "../domain/task";
import { mergeDetections } from "../detect/merge-boxes";
import { type ModelInfo, sideFor } from "../model/model-info";
import { shapesForSquare, squareOf } from "../detect/anchors";
import { placeImage } from "../detect/placement";
import { LETTERBOX_GREY, TensorBuffer } from "../detect/tensor";
import type { DecodeLimits } from "../vision/decode";
import { annotateImage } from "./annotate";
import { prepareInput } from "./prepare-input";
import type { SessionsByShape } from "./shape-sessions";

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * One image through the whole pipeline: pre-processing, the model call and
 * post-processing stay separate modules; this only sequences them and times
 * each phase. Runs inside an inference worker.
 */
export class Detector {
  /** the model's input, reused image after image (one image at a time per worker) */
  private readonly input = new TensorBuffer();

  constructor(
    private readonly sessions: SessionsByShape,
    readonly info: ModelInfo,
    private readonly limits: DecodeLimits,
    /** longest side of the annotated image (0: full size) */
    private readonly annotatedMaxSide: number,
  ) {}

  /**
   * `upright` is the size the upload's header gave, EXIF orientation applied.
   * With `region`, only that part (a tile), its detections in its own
   * coordinates and nothing drawn; with `merge`, the tiles' detections are
   * merged with this pass's before they are drawn.
   */
  async detect(bytes: Uint8Array, upright: ImageSize, params: DetectParams, { region, merge }: { region?: Region; merge?: Detection[] } = {}): Promise<InferenceResult> {
    const frame = region ? { width: region.width, height: region.height } : upright;
    // imgsz swaps the model's square for another; rect then picks among that square's shapes.
    const shapes = shapesForSquare(this.info.inputShapes, sideFor(this.info, params.imgsz));
    const square = squareOf(shapes);
    const placed = placeImage(frame, params.rect, shapes);
    // The first image of a new shape in this worker opens its session (counted as inference time).
    const t0 = performance.now();
    const { session, shape: input } = await this.sessions.get({ width: placed.dstW, height: placed.dstH }, square);
    const opening = performance.now() - t0;
    // A shape whose session could not be made runs as the square.
    const fell = input.width !== placed.dstW || input.height !== placed.dstH;
    const place = fell ? letterboxGeometry(frame.width, frame.height, input.width, input.height) : placed;
    // A tile is never drawn on: the whole-image pass draws everything.
    const annotate = params.annotate && !region;
    const into = this.input.for(input.width, input.height);
    const prepared = await prepareInput(bytes, place, { annotate }, this.limits, this.annotatedMaxSide, into, region);
    const { tensor, image, geometry } = prepared;
    const t1 = performance.now() - opening;
    const output = await session.run(tensor, [1, 3, input.height, input.width]);
    const t2 = performance.now();

    const candidates = decodeDetections(output.data, output.dims, {
      conf: params.conf,
      classes: params.classes ? new Set(params.classes) : undefined,
    });
    const kept = nonMaxSuppression(candidates, { iou: params.iou, maxDet: params.maxDet, agnostic: params.agnosticNms });
    const own: Detection[] = kept.map((c) => {
      const b = unletterboxBox(c.box, geometry);
      return {
        class_id: c.classId,
        class: this.info.names[c.classId] ?? String(c.classId),
        confidence: round(c.score, 4),
        box: { x1: round(b.x1, 1), y1: round(b.y1, 1), x2: round(b.x2, 1), y2: round(b.y2, 1) },
      };
    });
    const detections = merge ? mergeDetections([...own, ...merge]).slice(0, params.maxDet) : own;
    const t3 = performance.now();

    const annotated = image ? await annotateImage(image, detections, upright) : undefined;
    const t4 = performance.now();

    return {
      model: this.info.name,
      detections,
      image: { width: frame.width, height: frame.height },
      input_size: input,
      annotated,
      timings: {
        preprocess: round(prepared.ms, 2),
        inference: round(t2 - t1, 2),
        postprocess: round(t3 - t2, 2),
        annotate: round(t4 - t3, 2),
        total: round(prepared.ms + (t4 - t1), 2),
      },
    };
  }

  /** Frees the sessions (a bench or a test that loads a detector in its own thread). */
  release() {
    return this.sessions.release();
  }

  /** One run on a grey frame, so the first real request does not pay for lazy initialisation. */
  async warmUp(): Promise<number> {
    const { inputWidth: w, inputHeight: h } = this.info;
    const t0 = performance.now();
    await this.sessions.square.run(new Float32Array(3 * w * h).fill(LETTERBOX_GREY / 255), [1, 3, h, w]);
    return performance.now() - t0;
  }
}
