import { COCO_NAMES, parseNamesLiteral } from "./class-names";
import type { ModelIo } from "./onnx-session";

/** What the service needs to know about a detector, derived from the file itself. */
export interface ModelInfo {
  name: string;
  inputWidth: number;
  inputHeight: number;
  /** the input shapes it runs: the square, plus rectangles when its head could be rebuilt for them (issue: rect) */
  inputShapes: { width: number; height: number }[];
  /** why only the square is offered, when the head was not recognised */
  rectUnsupported?: string;
  names: string[];
  /** where the class names came from: the file's metadata, or the COCO fallback */
  namesSource: "metadata" | "coco-fallback";
  task?: string;
  version?: string;
}

export class UnsupportedModel extends Error {}

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
    names,
    namesSource: fromMeta ? "metadata" : "coco-fallback",
    task: meta.task,
    version: meta.version,
  };
}
