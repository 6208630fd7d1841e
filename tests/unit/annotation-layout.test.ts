import { describe, expect, test } from "bun:test";
import { annotationLayout, colorFor } from "../../src/detect/annotation-layout";
import type { Detection } from "../../src/domain/task";

const det = (cls: string, classId: number, confidence: number, x1: number, y1: number, x2: number, y2: number): Detection => ({
  class_id: classId,
  class: cls,
  confidence,
  box: { x1, y1, x2, y2 },
});

/*
 * For a 640×480 image: lw = max(round(560 · 0.003), 2) = 2, fontSize = max(10, 11) = 11,
 * pad = ceil(2.75) = 3, so a label bar is round(11 · 1.2) + 6 = 19 px high.
 */
const W = 640;
const H = 480;

describe("annotationLayout", () => {
  test("nothing to draw without detections", () => {
    expect(annotationLayout([], W, H)).toMatchObject({ edges: [], labels: [], fontSize: 11, pad: 3 });
  });

  test("four edges of line width 2 around the box, centred on its border", () => {
    const { edges } = annotationLayout([det("dog", 16, 0.93, 100, 50, 200, 150)], W, H);
    const c = colorFor(16);
    expect(edges).toEqual([
      { left: 99, top: 49, width: 102, height: 2, color: c }, // top
      { left: 99, top: 149, width: 102, height: 2, color: c }, // bottom
      { left: 99, top: 49, width: 2, height: 102, color: c }, // left
      { left: 199, top: 49, width: 2, height: 102, color: c }, // right
    ]);
  });

  test("the label bar: above the box, sized for its text", () => {
    const { labels } = annotationLayout([det("dog", 16, 0.93, 100, 50, 200, 150)], W, H);
    // "dog 0.93" is 8 characters: width ceil(8 · 11 · 0.62) + 2·3 = 55 + 6 = 61;
    // above the box: top = 50 - 19 = 31; left = x1 - lw/2 = 99
    expect(labels).toEqual([{ text: "dog 0.93", left: 99, top: 31, width: 61, height: 19, color: colorFor(16) }]);
  });

  test("edges are clipped to the image; an edge wholly outside is dropped", () => {
    const { edges } = annotationLayout([det("dog", 16, 0.93, 0, 0, 640, 480)], W, H);
    for (const e of edges) {
      expect(e.left).toBeGreaterThanOrEqual(0);
      expect(e.top).toBeGreaterThanOrEqual(0);
      expect(e.left + e.width).toBeLessThanOrEqual(W);
      expect(e.top + e.height).toBeLessThanOrEqual(H);
    }
    expect(edges).toHaveLength(4);
  });

  test("boxes in original pixels are scaled onto a shrunk image", () => {
    // a 4× larger original: the box 400..800 × 200..600 lands at 100..200 × 50..150
    const { edges, labels } = annotationLayout([det("dog", 16, 0.93, 400, 200, 800, 600)], W, H, 4);
    expect(edges[0]).toMatchObject({ left: 99, top: 49, width: 102 });
    expect(labels[0]).toMatchObject({ left: 99, top: 31 });
  });

  test("confidence is printed with two decimals", () => {
    expect(annotationLayout([det("cat", 15, 0.9349, 10, 100, 20, 120)], W, H).labels[0].text).toBe("cat 0.93");
    expect(annotationLayout([det("cat", 15, 1, 10, 100, 20, 120)], W, H).labels[0].text).toBe("cat 1.00");
  });

  test("a box touching the top edge gets its label inside, at y1", () => {
    expect(annotationLayout([det("dog", 16, 0.93, 100, 0, 200, 150)], W, H).labels[0].top).toBe(0);
    // a box whose top is less than a label height from the edge: label at y1 too
    expect(annotationLayout([det("dog", 16, 0.93, 100, 10, 200, 150)], W, H).labels[0].top).toBe(10);
  });

  test("a label near the right edge is pulled back inside the image", () => {
    const [label] = annotationLayout([det("dog", 16, 0.93, 630, 100, 640, 200)], W, H).labels;
    // width 61: left = min(629, 640 - 61) = 579
    expect(label.left).toBe(579);
    expect(label.left + label.width).toBeLessThanOrEqual(W);
  });

  test("colorFor wraps the 20-colour palette", () => {
    expect(colorFor(0)).toBe("#FF3838");
    expect(colorFor(20)).toBe(colorFor(0));
    expect(colorFor(16)).toBe("#520085");
  });
});
