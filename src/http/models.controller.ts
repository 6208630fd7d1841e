import { Elysia, t, type Static } from "elysia";
import type { TaskBackend } from "../backend/task-backend";
import { imgszRange, type ModelInfo } from "../model/model-info";
import { knownModels } from "../model/catalogue";
import { problemResponses, readOnlyErrors } from "./problem-docs";

const Size = t.Object({ width: t.Integer(), height: t.Integer() });

/** One model as GET /models shows it; the details only once a worker has described it. */
export const ModelView = t.Object({
  name: t.String({ description: "What the `model` knob takes" }),
  default: t.Boolean({ description: "Runs uploads that name no model (the first of MODELS)" }),
  loaded: t.Boolean({ description: "Warm in a worker now (on Redis: in some live inference process); uploads for a model no process holds get 503 model_unavailable" }),
  input_size: t.Optional(Size),
  input_shapes: t.Optional(t.Array(Size, { description: "Input shapes it runs: the square, plus rectangles when its head could be rebuilt for them (rect)" })),
  rect_unsupported: t.Optional(t.String({ description: "Why only the square is offered" })),
  imgsz: t.Optional(
    t.Object(
      { min: t.Integer(), max: t.Integer(), step: t.Integer() },
      { description: "What the `imgsz` knob may ask: every `step` from `min` to `max` (one size: a model with a session per input shape runs only its own)" },
    ),
  ),
  classes: t.Optional(t.Array(t.String(), { description: "Class names by id: what `classes` and the detections use" })),
  names_source: t.Optional(t.UnionEnum(["metadata", "coco-fallback"])),
});

export const ModelsView = t.Object(
  { models: t.Array(ModelView, { description: "The default first" }) },
  {
    examples: [
      {
        models: [
          { name: "yolov8n", default: true, loaded: true, input_size: { width: 640, height: 640 }, input_shapes: [{ width: 640, height: 640 }, { width: 640, height: 480 }], imgsz: { min: 320, max: 1280, step: 32 }, classes: ["person", "bicycle", "car"], names_source: "metadata" },
          { name: "yolo11n-320", default: false, loaded: true, input_size: { width: 320, height: 320 }, input_shapes: [{ width: 320, height: 320 }], imgsz: { min: 320, max: 320, step: 32 }, classes: ["person", "bicycle", "car"], names_source: "metadata" },
        ],
      },
    ],
  },
);

/** A described model's details, as /models and /health show them. */
export function modelDetails(model: ModelInfo) {
  return {
    input_size: { width: model.inputWidth, height: model.inputHeight },
    // A model described by an older inference process (Redis) lists no shapes: it runs the square.
    input_shapes: model.inputShapes ?? [{ width: model.inputWidth, height: model.inputHeight }],
    ...(model.rectUnsupported ? { rect_unsupported: model.rectUnsupported } : {}),
  };
}

/**
 * The service's models: `configured` names them as this process was told
 * (MODELS; none on an API replica that was not told), the backend adds what
 * its workers (or, on Redis, the live inference processes) described.
 */
export function modelsList(backend: TaskBackend, configured: readonly string[]): Static<typeof ModelView>[] {
  const described = backend.models ?? [];
  const names = knownModels(configured, described);
  const defaultName = names[0];
  return names.map((name) => {
    const model = described.find((m) => m.name === name);
    return {
      name,
      default: name === defaultName,
      loaded: backend.holds(name),
      // Here, not in modelDetails: /health shows the default model's details without it.
      ...(model ? { ...modelDetails(model), imgsz: imgszRange(model), classes: model.names, names_source: model.namesSource } : {}),
    };
  });
}

export function modelsController(backend: TaskBackend, configured: readonly string[]) {
  return new Elysia({ name: "models", tags: ["Service"] }).get("/models", () => ({ models: modelsList(backend, configured) }), {
    response: { 200: ModelsView, ...problemResponses("/models", ...readOnlyErrors("/models")) },
    detail: {
      operationId: "listModels",
      summary: "The models an upload may name",
      description: "Each model's name (what `model` takes), input size and shapes, class names, whether it is the default, and whether it is loaded now.",
    },
  });
}
