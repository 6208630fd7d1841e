import { type DetectParams, MAX_TILES, MIN_TILE, RECT_MODES, TILE_MODES } from "./task";

/**
 * The detection knobs of POST /predict, as data: the one place their ranges,
 * defaults and meanings are written. The route schema and its OpenAPI text
 * (src/http/knob-schema.ts), the 422 messages (src/http/knob-errors.ts), the
 * default parameters (src/intake/detect-params.ts) and README's knob table
 * (src/tools/docs-tables.ts) are all derived from it.
 */
interface KnobBase {
  /** the form field and query parameter */
  name: string;
  /** one sentence, capitalised, no trailing period: OpenAPI and README both show it */
  description: string;
}

export interface NumberKnob extends KnobBase {
  /** "integer" accepts whole numbers only */
  kind: "number" | "integer";
  min: number;
  max: number;
  default: number;
  param: "conf" | "iou" | "maxDet" | "tileSize" | "tileOverlap" | "imgsz";
  /** 0 is also accepted, below `min`: it means "the default choice" (tile_size, imgsz: the model's input size) */
  orZero?: true;
  /** an "integer" knob that takes only multiples of this (imgsz: the head's coarsest stride) */
  step?: number;
}

/** One of a few words. */
export interface ChoiceKnob extends KnobBase {
  kind: "choice";
  values: readonly string[];
  default: string;
  param: "tile" | "rect";
}

export interface BooleanKnob extends KnobBase {
  kind: "boolean";
  default: boolean;
  param: "annotate" | "agnosticNms";
}

/** Class ids or names; without it every class is kept, so it has no default value. */
export interface ClassesKnob extends KnobBase {
  kind: "classes";
  param: "classes";
}

export type Knob = NumberKnob | BooleanKnob | ClassesKnob | ChoiceKnob;

/**
 * The sizes `imgsz` may ask of a model with a free-shape session (one session
 * runs every shape, fed each shape's head constants): 320 to 1280, every 32.
 * 32 is the head's coarsest stride, so every side stays a whole grid. Below
 * 320 the stride-32 level sees a 9×9 grid or less, and Ultralytics publishes
 * nothing smaller. The top bounds memory: the session's one arena, and the
 * tensor buffer (src/detect/tensor.ts), keep the largest shape a worker has
 * run, and a worker that has run 1280 (4× the pixels of 640) held ~150 MB more
 * (yolov8n, dog.jpg: 217 → 369 MB resident). A model that keeps a session per
 * shape runs only its own size (describeModel; load-detector.ts widens it).
 */
export const IMGSZ = { min: 320, max: 1280, step: 32 } as const;

export const KNOBS = [
  { name: "conf", kind: "number", min: 0, max: 1, default: 0.25, param: "conf", description: "Confidence a box must exceed" },
  { name: "iou", kind: "number", min: 0, max: 1, default: 0.7, param: "iou", description: "IoU above which non-maximum suppression drops the weaker of two boxes of a class" },
  { name: "max_det", kind: "integer", min: 1, max: 300, default: 300, param: "maxDet", description: "Most detections returned" },
  {
    name: "classes",
    kind: "classes",
    param: "classes",
    description: "Classes to keep, by id or name: `dog,car`, `16,2`, or the field repeated",
  },
  { name: "annotate", kind: "boolean", default: true, param: "annotate", description: "Draw the boxes and labels on the image" },
  { name: "agnostic_nms", kind: "boolean", default: false, param: "agnosticNms", description: "Suppress overlapping boxes across classes too" },
  {
    name: "rect",
    kind: "choice",
    values: RECT_MODES,
    // On by default, as Ultralytics' predictor runs a PyTorch model: a rectangle is less work
    // (20–30 % on 4:3 to 3:2 photos). A head that takes free input dimensions (yolov8) runs every
    // shape in one session and arena; others pay memory per shape, so they offer fewer shapes
    // (src/detect/anchors.ts, docs/BENCHMARKS.md).
    default: "on",
    param: "rect",
    description:
      "The model's input shape, as Ultralytics' predictor picks it: `on` letterboxes the image to the smallest rectangle around it (each side padded to a multiple of 32, centred), as `yolo predict` does with a PyTorch model; `off` to the square, as it does with an ONNX export. Models that cannot take rectangles always run the square",
  },
  {
    name: "tile",
    kind: "choice",
    values: TILE_MODES,
    default: "off",
    param: "tile",
    description:
      "Also run the image in overlapping tiles at its own resolution, for small objects in large photos (the whole-image pass still runs; boxes cut at tile borders are merged): `auto` when its longer side is at least twice the model's input",
  },
  {
    name: "tile_size",
    kind: "integer",
    min: MIN_TILE,
    max: 4096,
    default: 0,
    orZero: true,
    param: "tileSize",
    description: `Tile side in image pixels, at least ${MIN_TILE}; 0 is the model's input size (\`imgsz\` when set). At most ${MAX_TILES} tiles: a larger image gets larger tiles`,
  },
  { name: "tile_overlap", kind: "number", min: 0, max: 0.5, default: 0.2, param: "tileOverlap", description: "Fraction of a tile its neighbours overlap" },
  {
    name: "imgsz",
    kind: "integer",
    ...IMGSZ,
    default: 0,
    orZero: true,
    param: "imgsz",
    description: `The model's input size for this image, as Ultralytics' \`imgsz\`: the side of the square it is letterboxed into (\`rect\` then works within it), a multiple of ${IMGSZ.step}; 0 is the model's own. A model with a session per input shape takes only its own size (GET /models lists each model's \`imgsz\`)`,
  },
] as const satisfies readonly Knob[];

/** What a knob holds once its string form is coerced: repeated `classes` fields arrive as an array. */
type KnobValue<K extends Knob> = K extends ClassesKnob ? string | string[] : K extends BooleanKnob ? boolean : K extends ChoiceKnob ? K["values"][number] : number;

/** Knobs as they arrive from a request, already checked against their ranges. */
export type RawKnobs = { [K in (typeof KNOBS)[number] as K["name"]]?: KnobValue<K> };

/** What an absent knob means, in words: README and OpenAPI both say it. */
export function knobDefaultText(knob: Knob): string {
  return knob.kind === "classes" ? "all" : String(knob.default);
}

/** What a knob accepts, in words: README's range column. */
export function knobRangeText(knob: Knob): string {
  if (knob.kind === "boolean") return "true/false";
  if (knob.kind === "classes") return "ids or names";
  if (knob.kind === "choice") return knob.values.join("/");
  return `${knob.orZero ? "0 or " : ""}${knob.min}..${knob.max}${knob.step ? `, every ${knob.step}` : ""}`;
}

/** The rule a refused value broke, as the 422 answer gives it per field. */
export function knobRule(knob: Knob): string {
  switch (knob.kind) {
    case "number":
      return `must be ${knob.orZero ? "0 or " : ""}a number from ${knob.min} to ${knob.max}`;
    case "integer":
      return `must be ${knob.orZero ? "0 or " : ""}${knob.step ? `a multiple of ${knob.step}` : "a whole number"} from ${knob.min} to ${knob.max}`;
    case "boolean":
      return "must be true or false";
    case "classes":
      return "must be class ids or names, comma-separated or repeated";
    case "choice":
      return `must be one of ${knob.values.join(", ")}`;
  }
}

/** Whether a number is one a numeric knob takes: within its range, or 0 where 0 has its own meaning. */
export function numberFits(knob: NumberKnob, value: number): boolean {
  return (knob.orZero === true && value === 0) || (value >= knob.min && value <= knob.max && (knob.step === undefined || value % knob.step === 0));
}

/** Every parameter but the class filter, as it is when no knob is sent. */
export type DefaultParams = Omit<DetectParams, "classes">;

/** The parameters of a request that sets no knob. */
export function defaultParams(): DefaultParams {
  const params: Partial<Record<keyof DefaultParams, number | boolean | string>> = {};
  for (const knob of KNOBS as readonly Knob[]) if (knob.kind !== "classes") params[knob.param] = knob.default;
  return params as unknown as DefaultParams;
}
