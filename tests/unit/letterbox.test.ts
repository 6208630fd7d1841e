import { describe, expect, test } from "bun:test";
import { centredIn, letterboxGeometry, roundHalfEven, unletterboxBox } from "../../src/detect/letterbox";

describe("letterboxGeometry", () => {
  test("landscape: width fills the canvas, height is padded top and bottom", () => {
    // scale = min(640/1280, 640/720) = 0.5 → 640×360; top = (640-360)/2 = 140
    expect(letterboxGeometry(1280, 720, 640, 640)).toEqual({
      srcW: 1280, srcH: 720, scale: 0.5, dstW: 640, dstH: 640, newW: 640, newH: 360, left: 0, top: 140,
    });
  });

  test("portrait: height fills the canvas, width is padded left and right", () => {
    // scale = min(640/720, 640/1280) = 0.5 → 360×640; left = 140
    const g = letterboxGeometry(720, 1280, 640, 640);
    expect([g.newW, g.newH, g.left, g.top]).toEqual([360, 640, 140, 0]);
  });

  test("square image into a square canvas is scaled without padding", () => {
    const g = letterboxGeometry(1000, 1000, 640, 640);
    expect([g.newW, g.newH, g.left, g.top]).toEqual([640, 640, 0, 0]);
  });

  test("an image that already has the canvas size is untouched", () => {
    const g = letterboxGeometry(640, 640, 640, 640);
    expect([g.newW, g.newH, g.left, g.top]).toEqual([640, 640, 0, 0]);
  });

  test("768x576 → 640x640 gives 640x480 with 80 px on top", () => {
    // scale = min(640/768, 640/576) = 5/6 → 640 × 480; top = (640-480)/2 = 80
    const g = letterboxGeometry(768, 576, 640, 640);
    expect([g.newW, g.newH, g.left, g.top]).toEqual([640, 480, 0, 80]);
  });

  test("non-square destination (320x320 and 640x384)", () => {
    // 640×480 → 320×320: scale = min(0.5, 0.667) = 0.5 → 320×240, top 40
    const a = letterboxGeometry(640, 480, 320, 320);
    expect([a.newW, a.newH, a.left, a.top]).toEqual([320, 240, 0, 40]);
    // 640×640 → 640×384: scale = min(1, 0.6) = 0.6 → 384×384, left (640-384)/2 = 128
    const b = letterboxGeometry(640, 640, 640, 384);
    expect([b.newW, b.newH, b.left, b.top]).toEqual([384, 384, 128, 0]);
  });

  test("odd padding puts the extra pixel at the bottom/right", () => {
    // 3×1 → 4×4: scale = 4/3 → 4×1 (round 1.33); padding 3 → top 1, bottom 2
    const g = letterboxGeometry(3, 1, 4, 4);
    expect([g.newW, g.newH, g.left, g.top]).toEqual([4, 1, 0, 1]);
  });

  test("tiny images: upscaled, and a resized side never rounds to 0", () => {
    const one = letterboxGeometry(1, 1, 640, 640);
    expect([one.newW, one.newH, one.left, one.top]).toEqual([640, 640, 0, 0]);
    // 1×100: scale = min(640, 6.4) = 6.4 → width round(6.4) = 6, left floor(634/2) = 317
    const thin = letterboxGeometry(1, 100, 640, 640);
    expect([thin.newW, thin.newH, thin.left, thin.top]).toEqual([6, 640, 317, 0]);
    // 1×10000: width 0.064 would round to 0; clamped to 1, left floor(639/2) = 319
    const sliver = letterboxGeometry(1, 10000, 640, 640);
    expect([sliver.newW, sliver.newH, sliver.left, sliver.top]).toEqual([1, 640, 319, 0]);
  });

  test("zero, negative or NaN sizes throw", () => {
    expect(() => letterboxGeometry(0, 100, 640, 640)).toThrow(RangeError);
    expect(() => letterboxGeometry(100, 0, 640, 640)).toThrow(RangeError);
    expect(() => letterboxGeometry(100, 100, 0, 640)).toThrow(RangeError);
    expect(() => letterboxGeometry(100, 100, 640, 0)).toThrow(RangeError);
    expect(() => letterboxGeometry(-1, 100, 640, 640)).toThrow(RangeError);
    expect(() => letterboxGeometry(Number.NaN, 100, 640, 640)).toThrow(RangeError);
  });
});

describe("unletterboxBox", () => {
  // 1280×720 → 640×640: factor 0.5 both ways, 140 px padding on top.
  const g = letterboxGeometry(1280, 720, 640, 640);

  test("maps a box from model input back to image pixels", () => {
    // x: (100-0)/0.5 = 200, (300-0)/0.5 = 600; y: (240-140)/0.5 = 200, (340-140)/0.5 = 400
    expect(unletterboxBox({ x1: 100, y1: 240, x2: 300, y2: 340 }, g)).toEqual({ x1: 200, y1: 200, x2: 600, y2: 400 });
  });

  test("round trip: image box → letterboxed → back is the identity", () => {
    const image = { x1: 13, y1: 27, x2: 901, y2: 655 };
    // forward letterbox by hand: x·0.5 + 0, y·0.5 + 140
    const input = { x1: 6.5, y1: 153.5, x2: 450.5, y2: 467.5 };
    expect(unletterboxBox(input, g)).toEqual(image);
  });

  test("divides by the one gain, as Ultralytics' scale_boxes does, not by each axis's rounded size", () => {
    // 1000×333 → 640: gain 0.64 → 640 × round(213.12) = 213, top floor(427/2) = 213.
    // The bottom of the resized image (y = 213 + 213) maps to 213 / 0.64 = 332.8125, as in Ultralytics.
    const g2 = letterboxGeometry(1000, 333, 640, 640);
    expect([g2.newH, g2.top, g2.scale]).toEqual([213, 213, 0.64]);
    const back = unletterboxBox({ x1: 0, y1: 213, x2: 640, y2: 426 }, g2);
    expect([back.x1, back.x2, back.y1]).toEqual([0, 1000, 0]);
    expect(back.y2).toBeCloseTo(332.8125, 9);
  });

  test("a box lying in the top padding collapses onto the image's top edge", () => {
    // y: (0-140)/0.5 = -280 → 0, (100-140)/0.5 = -80 → 0; x: 20, 100
    expect(unletterboxBox({ x1: 10, y1: 0, x2: 50, y2: 100 }, g)).toEqual({ x1: 20, y1: 0, x2: 100, y2: 0 });
  });

  test("a box reaching beyond the image is clipped to its size", () => {
    // x: 1200, 1400 → 1280; y: (400-140)/0.5 = 520, (600-140)/0.5 = 920 → 720
    expect(unletterboxBox({ x1: 600, y1: 400, x2: 700, y2: 600 }, g)).toEqual({ x1: 1200, y1: 520, x2: 1280, y2: 720 });
    // negative coordinates (a box centred near the corner) clip to 0
    expect(unletterboxBox({ x1: -20, y1: 130, x2: 10, y2: 150 }, g)).toEqual({ x1: 0, y1: 0, x2: 20, y2: 20 });
  });
});

describe("Python's rounding, as Ultralytics sizes the resized image", () => {
  test("halves go to the even neighbour; everything else to the nearest", () => {
    expect([0.5, 1.5, 2.5, -0.5, 212.5, 213.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, -0, 212, 214, 2, 3]);
  });

  test("a resized side that lands on a half rounds to even", () => {
    // 8×5 into 4×4: gain 0.5, 5 × 0.5 = 2.5 → 2 (Math.round would give 3), top floor(2 / 2) = 1
    const g = letterboxGeometry(8, 5, 4, 4);
    expect([g.scale, g.newW, g.newH, g.top]).toEqual([0.5, 4, 2, 1]);
  });
});

describe("centredIn: the same resized image in a larger shape", () => {
  test("keeps the gain and the resized size, and centres with the odd pixel after", () => {
    const square = letterboxGeometry(1000, 333, 640, 640);
    expect(centredIn(square, 640, 224)).toEqual({ srcW: 1000, srcH: 333, scale: 0.64, dstW: 640, dstH: 224, newW: 640, newH: 213, left: 0, top: 5 });
  });
});
