import { COARSEST_STRIDE } from "../detect/anchors";
import { COCO_NAMES, parseNamesLiteral } from "./class-names";
import type { ModelIo } from "./onnx-session";

/** The squares the `imgsz` knob may ask of a model: every `step` from `min` to `max`. */
export interface ImgszRange {
  min: number;
  max: number;
  step: number;
}

/** What the service needs to know about a detector, derived from the file itself. */
export interface ModelInfo {
  name: string;
  inputWidth: number;
  inputHeight: number;
  /** the input shapes it runs: the square, plus rectangles when its head could be rebuilt for them (issue: rect) */
  inputShapes: { width: number; height: number }[];
  /** why only the square is offered, when the head was not recognised */
  rectUnsupported?: string;
  /** the sizes `imgsz` may ask (src/pipeline/load-detector.ts); absent (described by an older inference process): its own only */
  imgsz?: ImgszRange;
  names: string[];
  /** where the class names came from: the file's metadata, or the COCO fallback */
  namesSource: "metadata" | "coco-fallback";
  task?: string;
  version?: string;
}

export class UnsupportedModel extends Error {}

type Sized = Pick<ModelInfo, "inputWidth" | "inputHeight" | "imgsz">;

/** The model's own input size: the side of its square. */
export const ownSide = (model: Sized) => Math.max(model.inputWidth, model.inputHeight);

/** A range of one size: what a model that keeps a session per shape, or whose head could not be rebuilt, allows. */
export const onlySize = (side: number): ImgszRange => ({ min: side, max: side, step: COARSEST_STRIDE });

/** What `imgsz` may ask of a model. */
export function imgszRange(model: Sized): ImgszRange {
  return model.imgsz ?? onlySize(ownSide(model));
}

/** Whether `imgsz` (0: its own size) is a size the model runs. */
export function imgszAllowed(model: Sized, imgsz: number): boolean {
  const { min, max, step } = imgszRange(model);
  return imgsz === 0 || imgsz === ownSide(model) || (imgsz >= min && imgsz <= max && (imgsz - min) % step === 0);
}

/** The side of the square an image runs in: `imgsz` when the model allows it; otherwise (0, absent, or a task checked against another process's description of the model) its own. */
export function sideFor(model: Sized, imgsz: number | undefined): number {
  return imgsz && imgszAllowed(model, imgsz) ? imgsz : ownSide(model);
}

/** The sizes a model allows, in words: the 422 answer lists them. */
export function imgszText(model: Sized): string {
  const { min, max, step } = imgszRange(model);
  return min === max ? String(min) : `every ${step} from ${min} to ${max}`;
}

function parseImgsz(text: string | undefined): [number, number] | undefined {
  const nums = text?.match(/\d+/g)?.map(Number);
  if (!nums?.length) return undefined;
  return [nums[0], nums[1] ?? nums[0]];
}

/**
 * Input size comes from the graph; a dynamic graph falls back to the `imgsz`
 * Ultralytics records in metadata, then to 640. Class count is checked against
 * the output rows so a segmentation or pose export is refused with a reason.
 */
export function describeModel(name: string, io: ModelIo, meta: Record<string, string>): ModelInfo {
  if (meta.task && meta.task !== "detect") {
    throw new UnsupportedModel(`${name} is a '${meta.task}' model; this service runs detection models only`);
  }
  const [, , h, w] = io.inputShape;
  const imgsz = parseImgsz(meta.imgsz);
  const inputHeight = h > 0 ? h : (imgsz?.[0] ?? 640);
  const inputWidth = w > 0 ? w : (imgsz?.[1] ?? 640);
  const fromMeta = meta.names ? parseNamesLiteral(meta.names) : undefined;
  const names = fromMeta ?? [...COCO_NAMES];
  const rows = io.outputShape[1];
  if (io.outputShape.length !== 3 || (rows > 0 && rows !== 4 + names.length)) {
    throw new UnsupportedModel(
      `${name}: output [${io.outputShape.join(", ")}] is not a detection head [1, 4+${names.length}, N] for ${names.length} classes`,
    );
  }
  return {
    name,
    inputWidth,
    inputHeight,
    inputShapes: [{ width: inputWidth, height: inputHeight }],
    imgsz: onlySize(Math.max(inputWidth, inputHeight)),
    names,
    namesSource: fromMeta ? "metadata" : "coco-fallback",
    task: meta.task,
    version: meta.version,
  };
}
