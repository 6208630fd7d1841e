import { describe, expect, test } from "bun:test";
import { annotationSvg, colorFor } from "../../src/detect/annotation-svg";
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
 * pad = ceil(2.75) = 3, so a label is 11 + 6 = 17 px high.
 */
const W = 640;
const H = 480;

describe("annotationSvg", () => {
  test("the svg has the image's size", () => {
    const svg = annotationSvg([], W, H);
    expect(svg).toMatch(/^<svg [^>]*width="640" height="480"/);
    expect(count(svg, /<rect/g)).toBe(0);
  });

  test("one box rect, one label rect and one text per detection", () => {
    const svg = annotationSvg([det("dog", 16, 0.93, 100, 50, 200, 150), det("person", 0, 0.5, 300, 100, 400, 300)], W, H);
    expect(count(svg, /<rect /g)).toBe(4);
    expect(count(svg, /<text /g)).toBe(2);
  });

  test("box and label geometry for one detection", () => {
    const svg = annotationSvg([det("dog", 16, 0.93, 100, 50, 200, 150)], W, H);
    const [box, label] = attrsOf(svg, "rect");
    expect(box).toMatchObject({ x: "100", y: "50", width: "100", height: "100", fill: "none", "stroke-width": "2" });
    expect(box.stroke).toBe(colorFor(16));
    // "dog 0.93" is 8 characters: width ceil(8 · 11 · 0.62) + 2·3 = 55 + 6 = 61;
    // above the box: y = 50 - 17 = 33; x = x1 - lw/2 = 99
    expect(label).toMatchObject({ x: "99", y: "33", width: "61", height: "17", fill: colorFor(16) });
    expect(svg).toContain(">dog 0.93</text>");
  });

  test("confidence is printed with two decimals", () => {
    expect(annotationSvg([det("cat", 15, 0.9349, 10, 100, 20, 120)], W, H)).toContain(">cat 0.93</text>");
    expect(annotationSvg([det("cat", 15, 1, 10, 100, 20, 120)], W, H)).toContain(">cat 1.00</text>");
  });

  test("a box touching the top edge gets its label inside, at y1", () => {
    const svg = annotationSvg([det("dog", 16, 0.93, 100, 0, 200, 150)], W, H);
    const [, label] = attrsOf(svg, "rect");
    expect(label.y).toBe("0");
    // a box whose top is less than a label height from the edge: label at y1 too
    const near = attrsOf(annotationSvg([det("dog", 16, 0.93, 100, 10, 200, 150)], W, H), "rect")[1];
    expect(near.y).toBe("10");
  });

  test("a label near the right edge is pulled back inside the image", () => {
    const svg = annotationSvg([det("dog", 16, 0.93, 630, 100, 640, 200)], W, H);
    const [, label] = attrsOf(svg, "rect");
    // width 61: x = min(629, 640 - 61) = 579
    expect(Number(label.x)).toBe(579);
    expect(Number(label.x) + Number(label.width)).toBeLessThanOrEqual(W);
  });

  test("class names are XML-escaped", () => {
    const svg = annotationSvg([det(`<b>&"x'`, 3, 0.5, 10, 100, 20, 120)], W, H);
    expect(svg).toContain(">&#60;b&#62;&#38;&#34;x&#39; 0.50</text>");
    expect(svg).not.toContain("<b>");
    // the only element names left are svg, rect and text
    expect([...new Set([...svg.matchAll(/<(\w+)/g)].map((m) => m[1]))].sort()).toEqual(["rect", "svg", "text"]);
  });
});

describe("colorFor", () => {
  test("wraps the 20-colour palette", () => {
    expect(colorFor(0)).toBe("#FF3838");
    expect(colorFor(19)).toBe("#FF37C7");
    expect(colorFor(20)).toBe(colorFor(0));
    expect(colorFor(41)).toBe(colorFor(1));
    expect(new Set(Array.from({ length: 20 }, (_, i) => colorFor(i))).size).toBe(20);
  });
});
