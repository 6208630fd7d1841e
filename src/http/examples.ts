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
  created_at: "2026-11-30T16:57:25.333Z",
  updated_at: "2026-11-30T16:57:25.500Z",
  links: EXAMPLE_LINKS,
  result: {
    detections: [
      { class_id: 16, class: "dog", confidence: 0.9306, box: { x1: 130.4, y1: 217.9, x2: 308.3, y2: 540.2 } },
      { class_id: 1, class: "bicycle", confidence: 0.8946, box: { x1: 131.9, y1: 135.6, x2: 568.4, y2: 419.4 } },
      { class_id: 2, class: "car", confidence: 0.6511, box: { x1: 467.4, y1: 76.1, x2: 692.8, y2: 171.4 } },
    ],
    image: { width: 768, height: 576 },
    input_size: { width: 640, height: 608 },
    timings: { queue: 11, preprocess: 14.3, inference: 84.1, postprocess: 1, annotate: 4.9, total: 104.3 },
    annotated_image: "data:image/jpeg;base64,/9j/2wBDAAUDBAQEA…",
  },
};

/** An upload's 201: the task just queued. */
export const PENDING_EXAMPLE = {
  task_id: EXAMPLE_ID,
  status: "pending",
  created_at: "2026-11-30T16:57:25.333Z",
  updated_at: "2026-11-30T16:57:25.333Z",
  queue_position: 1,
  eta_ms: 180,
  links: EXAMPLE_LINKS,
};
