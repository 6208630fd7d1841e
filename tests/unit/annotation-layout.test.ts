import { describe, expect, test } from "bun:test";
import { annotationLayout, colorFor } from "../../src/detect/annotation-layout";
import type { Detection } from "../../src/domain/task";

const det = (cls: string, classId: number, confidence: number, x1: number, y1: number, x2: number, y2: number): Detection => ({
  class_id: classId,
  class: cls,
  confidence,
  box: { x1, y1, x2, y2 },
});

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
/** The attributes of every <tag ...> in document order. */
const attrsOf = (svg: string, tag: string) =>
  [...svg.matchAll(new RegExp(`<${tag} ([^>]*?)/?>`, "g"))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

/*
 * For a 640×480 image: lw = max(round(560 · 0.003), 2) = 2, fontSize = max(10, 11) = 11,
 * pad = ceil(2.75) = 3, so a label bar is round(11 · 1.2) + 6 = 19 px high.
 */
const W = 640;
const H = 480;

describe("annotationLayout", () => {
  test("the svg has the image's size, and nothing in it without detections", () => {
    const { svg, labels } = annotationLayout([], W, H);
    expect(svg).toMatch(/^<svg [^>]*width="640" height="480"/);
    expect(count(svg, /<rect/g)).toBe(0);
    expect(labels).toEqual([]);
  });

  test("one box outline per detection in the svg; labels are separate", () => {
    const { svg, labels } = annotationLayout([det("dog", 16, 0.93, 100, 50, 200, 150), det("person", 0, 0.5, 300, 100, 400, 300)], W, H);
    expect(count(svg, /<rect /g)).toBe(2);
    expect(count(svg, /<text/g)).toBe(0);
    expect(labels.map((l) => l.text)).toEqual(["dog 0.93", "person 0.50"]);
  });

  test("box and label geometry for one detection", () => {
    const { svg, labels, fontSize, pad } = annotationLayout([det("dog", 16, 0.93, 100, 50, 200, 150)], W, H);
    expect([fontSize, pad]).toEqual([11, 3]);
    const [box] = attrsOf(svg, "rect");
    expect(box).toMatchObject({ x: "100", y: "50", width: "100", height: "100", fill: "none", "stroke-width": "2" });
    expect(box.stroke).toBe(colorFor(16));
    // "dog 0.93" is 8 characters: width ceil(8 · 11 · 0.62) + 2·3 = 55 + 6 = 61;
    // above the box: y = 50 - 19 = 31; x = x1 - lw/2 = 99
    expect(labels[0]).toEqual({ text: "dog 0.93", x: 99, y: 31, width: 61, height: 19, color: colorFor(16) });
  });

  test("confidence is printed with two decimals", () => {
    expect(annotationLayout([det("cat", 15, 0.9349, 10, 100, 20, 120)], W, H).labels[0].text).toBe("cat 0.93");
    expect(annotationLayout([det("cat", 15, 1, 10, 100, 20, 120)], W, H).labels[0].text).toBe("cat 1.00");
  });

  test("a box touching the top edge gets its label inside, at y1", () => {
    expect(annotationLayout([det("dog", 16, 0.93, 100, 0, 200, 150)], W, H).labels[0].y).toBe(0);
    // a box whose top is less than a label height from the edge: label at y1 too
    expect(annotationLayout([det("dog", 16, 0.93, 100, 10, 200, 150)], W, H).labels[0].y).toBe(10);
  });

  test("a label near the right edge is pulled back inside the image", () => {
    const [label] = annotationLayout([det("dog", 16, 0.93, 630, 100, 640, 200)], W, H).labels;
    // width 61: x = min(629, 640 - 61) = 579
    expect(label.x).toBe(579);
    expect(label.x + label.width).toBeLessThanOrEqual(W);
  });

  test("class names never reach the svg, so they cannot inject markup into it", () => {
    const { svg } = annotationLayout([det(`<b>&"x'`, 3, 0.5, 10, 100, 20, 120)], W, H);
    expect([...new Set([...svg.matchAll(/<(\w+)/g)].map((m) => m[1]))].sort()).toEqual(["rect", "svg"]);
  });

  test("colorFor wraps the 20-colour palette", () => {
    expect(colorFor(0)).toBe("#FF3838");
    expect(colorFor(20)).toBe(colorFor(0));
    expect(colorFor(16)).toBe("#520085");
  });
});
