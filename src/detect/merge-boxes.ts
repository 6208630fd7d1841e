import type { Box, Detection } from "../domain/task";

/** SAHI's default: boxes of one class overlapping by more than half of the smaller one are one object. */
export const MERGE_IOS = 0.5;

const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

/** Intersection over the smaller box: 1 when one box holds the other, as a box cut at a tile border is held by the whole. */
export function intersectionOverSmaller(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const smaller = Math.min(area(a), area(b));
  return smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * Greedy merging of detections from overlapping passes (tiles and the whole
 * image), as SAHI's GREEDYNMM: most confident first, each takes every later
 * one of its class whose intersection over the smaller box passes `threshold`,
 * grows to hold them and keeps its confidence. Boxes in one coordinate frame.
 */
export function mergeDetections(detections: readonly Detection[], threshold = MERGE_IOS): Detection[] {
  const order = [...detections].sort((a, b) => b.confidence - a.confidence);
  const taken = new Array<boolean>(order.length).fill(false);
  const merged: Detection[] = [];
  for (let i = 0; i < order.length; i++) {
    if (taken[i]) continue;
    const box = { ...order[i].box };
    for (let j = i + 1; j < order.length; j++) {
      if (taken[j] || order[j].class_id !== order[i].class_id) continue;
      // Against the keeper as first found, as SAHI does: merging must not chain across the image.
      if (intersectionOverSmaller(order[i].box, order[j].box) <= threshold) continue;
      taken[j] = true;
      const b = order[j].box;
      Object.assign(box, { x1: Math.min(box.x1, b.x1), y1: Math.min(box.y1, b.y1), x2: Math.max(box.x2, b.x2), y2: Math.max(box.y2, b.y2) });
    }
    merged.push({ ...order[i], box });
  }
  return merged;
}
