/**
 * The task the API's examples show (OpenAPI, the problem examples): one id,
 * its links, and dog.jpg as the service answers it.
 */

export const EXAMPLE_ID = "5f0c6b2e-8a4e-4c1e-9a37-2d5c1f0b9e11";
export const EXAMPLE_LINKS = {
  self: `/result/${EXAMPLE_ID}`,
  image: `/result/${EXAMPLE_ID}/image`,
  events: `/result/${EXAMPLE_ID}/events`,
  cancel: `/result/${EXAMPLE_ID}/cancel`,
};

/** dog.jpg as the service answers it (tests/api/openapi-contract.test.ts compares a real answer with it). */
export const COMPLETED_EXAMPLE = {
  task_id: EXAMPLE_ID,
  status: "completed",
  model: "yolov8n",
  created_at: "2026-11-30T16:57:25.333Z",
  updated_at: "2026-11-30T16:57:25.500Z",
  links: EXAMPLE_LINKS,
  result: {
    model: "yolov8n",
    detections: [
      { class_id: 16, class: "dog", confidence: 0.9034, box: { x1: 131.2, y1: 220, x2: 308.9, y2: 541.6 } },
      { class_id: 1, class: "bicycle", confidence: 0.8852, box: { x1: 130.7, y1: 139.8, x2: 568.6, y2: 421.1 } },
      { class_id: 2, class: "car", confidence: 0.5399, box: { x1: 467.6, y1: 74.9, x2: 692, y2: 171.6 } },
      { class_id: 7, class: "truck", confidence: 0.5087, box: { x1: 466.9, y1: 74.8, x2: 692.5, y2: 171.7 } },
    ],
    image: { width: 768, height: 576 },
    input_size: { width: 640, height: 480 },
    timings: { queue: 11, preprocess: 14.3, inference: 68.1, postprocess: 1, annotate: 4.9, total: 88.3 },
    annotated_image: "data:image/jpeg;base64,/9j/2wBDAAUDBAQEA…",
  },
};

/** An upload's 201: the task just queued. */
export const PENDING_EXAMPLE = {
  task_id: EXAMPLE_ID,
  status: "pending",
  model: "yolov8n",
  created_at: "2026-11-30T16:57:25.333Z",
  updated_at: "2026-11-30T16:57:25.333Z",
  queue_position: 1,
  eta_ms: 180,
  links: EXAMPLE_LINKS,
};
