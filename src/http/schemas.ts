import { t } from "elysia";
import { inputShapes, SHAPE_STEP } from "../detect/anchors";
import { SLOT_STATES } from "../executor/slot-state";
import { COMPLETED_EXAMPLE, EXAMPLE_LINKS, PENDING_EXAMPLE } from "./examples";
import { problemBody } from "./problem";
import { refuse } from "../domain/errors";

/**
 * Route schemas: they validate requests, type the handlers and write the
 * OpenAPI document. The upload's own request schemas are in upload-schemas.ts.
 */
export const DeliveryView = t.Object({
  event: t.UnionEnum(["start", "completed"]),
  webhook_id: t.String({ description: "the `webhook-id` header, the same on every attempt" }),
  state: t.UnionEnum(["pending", "delivered", "given_up"]),
  attempts: t.Integer(),
  last_status: t.Optional(t.Integer({ description: "the receiver's HTTP status on the last attempt" })),
  last_error: t.Optional(t.String({ description: "why the last attempt got no status" })),
  last_attempt_at: t.Optional(t.String({ format: "date-time" })),
  next_attempt_at: t.Optional(t.String({ format: "date-time" })),
});

export const TaskStatusSchema = t.UnionEnum(["pending", "processing", "completed", "failed", "canceled"]);

export const BoxSchema = t.Object({ x1: t.Number(), y1: t.Number(), x2: t.Number(), y2: t.Number() });

export const DetectionSchema = t.Object({
  class_id: t.Integer({ examples: [16] }),
  class: t.String({ examples: ["dog"] }),
  confidence: t.Number({ examples: [0.93] }),
  box: BoxSchema,
});

const TaskViewProperties = {
  task_id: t.String({ format: "uuid" }),
  status: TaskStatusSchema,
  model: t.Optional(t.String({ description: "The model that runs it (GET /models)", examples: ["yolov8n"] })),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
  queue_position: t.Optional(t.Integer({ description: "1 = next to run; present while pending" })),
  eta_ms: t.Optional(t.Integer({ description: "Estimated time until the result, while not finished" })),
  result: t.Optional(
    t.Object({
      model: t.Optional(t.String({ description: "The model that answered" })),
      detections: t.Array(DetectionSchema),
      image: t.Object({ width: t.Integer(), height: t.Integer() }),
      input_size: t.Optional(t.Object({ width: t.Integer(), height: t.Integer() }, { description: "The model input the image was letterboxed to: the square, or a smaller rectangle with rect" })),
      tiles: t.Optional(t.Object({ count: t.Integer(), size: t.Integer(), overlap: t.Number() }, { description: "With tile: the tiles run besides the whole image (their side in image pixels, and overlap)" })),
      annotated_image: t.Optional(t.String({ description: "data:image/jpeg;base64,… (absent when annotate=false)" })),
      timings: t.Object({
        queue: t.Number(),
        preprocess: t.Number(),
        inference: t.Number(),
        postprocess: t.Number(),
        annotate: t.Number(),
        total: t.Number(),
        tiles: t.Optional(t.Number({ description: "The tile passes, wall time, when tiled" })),
      }, { description: "Milliseconds per phase (of the whole-image pass, when tiled)" }),
    }),
  ),
  error: t.Optional(t.Object({ code: t.String(), message: t.String() })),
  cancel_reason: t.Optional(t.UnionEnum(["client", "shutdown"], { description: "Who canceled it, when canceled" })),
  links: t.Object({
    self: t.String(),
    image: t.Optional(t.String({ description: "The annotated JPEG: absent when the task has none to give (annotate=false, failed or canceled)" })),
    events: t.String(),
    cancel: t.String(),
  }),
  webhook: t.Optional(
    t.Object(
      { url: t.String(), events_filter: t.Array(t.UnionEnum(["start", "completed"])), deliveries: t.Array(DeliveryView) },
      { description: "The task's webhook and each event's delivery, when one was given" },
    ),
  ),
};

export const TaskView = t.Object(TaskViewProperties, { description: "A detection task", examples: [COMPLETED_EXAMPLE] });
/** The same task, as an upload's 201 shows it. */
export const CreatedTaskView = t.Object(TaskViewProperties, { description: "The task just created, with its place in the queue", examples: [PENDING_EXAMPLE] });

/** A request with several images: one task each, in the order given. */
export const TaskListView = t.Object(
  { tasks: t.Array(t.Object(TaskViewProperties)) },
  { description: "Several images in one request: their tasks, in the order given", examples: [{ tasks: [PENDING_EXAMPLE, { ...PENDING_EXAMPLE, task_id: "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", queue_position: 2 }] }] },
);

export const Problem = t.Object(
  {
    type: t.String(),
    title: t.String(),
    status: t.Integer(),
    detail: t.String(),
    code: t.String({ description: "Stable machine-readable error code" }),
    instance: t.Optional(t.String()),
    errors: t.Optional(t.Array(t.Object({ field: t.String(), message: t.String() }))),
  },
  {
    description: "RFC 9457 problem details",
    // Each operation's responses carry their own examples (problem-docs.ts); this one is the schema's.
    examples: [problemBody("task_not_found", refuse.taskNotFound().message, { instance: EXAMPLE_LINKS.self })],
  },
);

export const TaskIdParams = t.Object({ id: t.String({ description: "Task id returned by POST /predict" }) });

export const HealthView = t.Object({
  status: t.UnionEnum(["ok", "starting", "draining", "unavailable"]),
  reason: t.Optional(t.String({ description: "why the service is not ready" })),
  backend: t.Object(
    {
      kind: t.UnionEnum(["embedded", "redis"]),
      connection: t.UnionEnum(["up", "down"], { description: "the task store's connection (Redis); always up when embedded" }),
      inference_processes: t.Integer({ description: "processes running this queue's tasks: 1 when embedded, the live inference processes on redis" }),
      inference_workers: t.Object(
        { total: t.Integer(), warm: t.Integer(), busy: t.Integer() },
        { description: "the Bun Workers of those processes, summed: how many, how many warm, how many running a task" },
      ),
    },
    { description: "where tasks and the queue live" },
  ),
  model: t.Optional(
    t.Object({
      name: t.String({ description: "the default model's (the others: GET /models)" }),
      input_size: t.Object({ width: t.Integer(), height: t.Integer() }),
      input_shapes: t.Array(t.Object({ width: t.Integer(), height: t.Integer() }), { description: "Input shapes it runs: the square, plus rectangles when its head could be rebuilt for them (rect)" }),
      rect_unsupported: t.Optional(t.String({ description: "Why only the square is offered" })),
      classes: t.Integer(),
      names_source: t.String(),
      warmup_ms: t.Optional(t.Number()),
    }),
  ),
  models: t.Array(t.Object({ name: t.String(), default: t.Boolean(), loaded: t.Boolean() }), { description: "every model an upload may name (GET /models has their details)" }),
  workers: t.Array(t.Object({ id: t.String(), state: t.UnionEnum(SLOT_STATES), restarts: t.Integer() }), { description: "this process's inference workers" }),
  queue_depth: t.Integer({ description: "tasks waiting in the queue (shared across replicas on redis)" }),
  queue_max: t.Integer(),
  tasks: t.Record(t.String(), t.Integer(), { description: "Tasks held, by status (on redis, only pending and processing: finished tasks expire in Redis on their own)" }),
  held_bytes: t.Integer({ description: "Bytes held by tasks: embedded, uploads waiting and results; redis, uploads not yet finished (results are bounded by TASK_TTL_S and Redis maxmemory)" }),
  max_store_bytes: t.Integer(),
  clients: t.Object(
    {
      active: t.Integer({ description: "clients with tasks waiting" }),
      largest_backlogs: t.Array(t.Object({ client: t.String(), waiting: t.Integer() }), {
        description: "the (at most 5) clients with the most tasks waiting, most first; an API key's name, or `address` (addresses are not shown)",
      }),
    },
    { description: "the fair queue: clients take turns" },
  ),
  uploads_in_flight: t.Object({ bytes: t.Integer(), max: t.Integer() }, { description: "bytes of request bodies being received by this process, against MAX_INFLIGHT_BYTES" }),
  refusals: t.Record(t.String(), t.Integer(), { description: "uploads this process refused since it started, by reason (the problem code)" }),
}, {
  examples: [
    {
      status: "ok",
      backend: { kind: "embedded", connection: "up", inference_processes: 1, inference_workers: { total: 3, warm: 3, busy: 1 } },
      model: {
        name: "yolov8n",
        input_size: { width: 640, height: 640 },
        input_shapes: inputShapes(640, SHAPE_STEP.freeSession),
        classes: 80, names_source: "metadata", warmup_ms: 160 },
      models: [{ name: "yolov8n", default: true, loaded: true }],
      workers: [{ id: "w0.0", state: "busy", restarts: 0 }, { id: "w1.0", state: "ready", restarts: 0 }, { id: "w2.0", state: "ready", restarts: 0 }],
      queue_depth: 0,
      queue_max: 100,
      tasks: { pending: 0, processing: 1, completed: 12, failed: 0, canceled: 0 },
      held_bytes: 1843200,
      max_store_bytes: 268435456,
      clients: { active: 2, largest_backlogs: [{ client: "key:alice", waiting: 3 }, { client: "address", waiting: 1 }] },
      uploads_in_flight: { bytes: 0, max: 1073741824 },
      refusals: { client_queue_full: 4 },
    },
  ],
});

export const ProbeView = t.Object(
  {
    status: t.String(),
    reason: t.Optional(t.String()),
  },
  { examples: [{ status: "ready" }, { status: "not_ready", reason: "draining: the service is shutting down" }] },
);
