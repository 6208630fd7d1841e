import { describe, expect, test } from "bun:test";
import { chooseShape, inputShapes, SHAPE_STEP } from "../../src/detect/anchors";
import { letterboxGeometry } from "../../src/detect/letterbox";
import { ON_TRAILING_GREY, placeImage } from "../../src/detect/placement";

// A free-shape session's set (every 32 px): the default model's.
const shapes = inputShapes(640, SHAPE_STEP.freeSession);
const shapeOf = (width: number, height: number, mode: "off" | "on" | "tight") => {
  const g = placeImage({ width, height }, mode, shapes);
  return `${g.dstW}x${g.dstH}`;
};

describe("placeImage: where an image goes in the model's input, by rect mode", () => {
  test("off: centred in the square, as Ultralytics' LetterBox", () => {
    expect(placeImage({ width: 768, height: 576 }, "off", shapes)).toEqual(letterboxGeometry(768, 576, 640, 640));
  });

  test("on: the smallest shape that holds the square's padding before the image, the image, and 32 grey rows after it", () => {
    expect(ON_TRAILING_GREY).toBe(32);
    expect(shapeOf(768, 576, "on")).toBe("640x608"); // 4:3: 80 grey rows, 480 of photo, 32: 592
    expect(shapeOf(6000, 4000, "on")).toBe("640x576"); // 3:2: 106 + 427 + 32 = 565
    expect(shapeOf(1920, 1080, "on")).toBe("640x544"); // 16:9: 140 + 360 + 32 = 532
    expect(shapeOf(1080, 1920, "on")).toBe("544x640");
    expect(shapeOf(500, 500, "on")).toBe("640x640");
    expect(shapeOf(773, 295, "on")).toBe("640x480"); // 5:2: 198 + 244 + 32 = 474, where 448 would leave 6 rows
    expect(placeImage({ width: 768, height: 576 }, "on", shapes)).toEqual({ srcW: 768, srcH: 576, dstW: 640, dstH: 608, newW: 640, newH: 480, left: 0, top: 80 });
    // A session per shape offers every 64 px only: 4:3 then needs the square.
    expect(placeImage({ width: 768, height: 576 }, "on", inputShapes(640, SHAPE_STEP.sessionPerShape)).dstH).toBe(640);
  });

  test("on: whatever the image, it is where the square puts it, at the square's scale, wholly inside the shape", () => {
    for (let width = 200; width <= 4000; width += 37) {
      for (const height of [300, 427, 480, 512, 601, 1080, 2000]) {
        const { dstW, dstH, ...placed } = placeImage({ width, height }, "on", shapes);
        const { dstW: _w, dstH: _h, ...square } = letterboxGeometry(width, height, 640, 640);
        expect(placed).toEqual(square);
        expect(placed.left + placed.newW <= dstW && placed.top + placed.newH <= dstH).toBe(true);
        // At least a cell of grey after the image on the cut axis; the square's axes are left whole.
        for (const [end, dst] of [[placed.left + placed.newW, dstW], [placed.top + placed.newH, dstH]]) {
          expect(dst === 640 || dst - end >= ON_TRAILING_GREY).toBe(true);
        }
        expect(shapes).toContainEqual({ width: dstW, height: dstH });
      }
    }
  });

  test("tight: centred in the smallest shape on the square's grid phase (chooseShape), so both sides are cut", () => {
    for (const [width, height] of [[768, 576], [6000, 4000], [1920, 1080], [1080, 1920], [500, 500]]) {
      const shape = chooseShape({ width, height }, shapes);
      expect(placeImage({ width, height }, "tight", shapes)).toEqual(letterboxGeometry(width, height, shape.width, shape.height));
    }
    expect([shapeOf(768, 576, "tight"), shapeOf(6000, 4000, "tight"), shapeOf(1920, 1080, "tight")]).toEqual(["640x512", "640x448", "640x384"]);
  });

  test("a mode from before rect was a word (true or false, still in a Redis task written then) gets the square", () => {
    for (const old of [true, false]) {
      expect(placeImage({ width: 768, height: 576 }, old as unknown as "on", shapes)).toEqual(letterboxGeometry(768, 576, 640, 640));
    }
  });

  test("a model offering only the square gets the square in every mode", () => {
    for (const mode of ["off", "on", "tight"] as const) {
      expect(placeImage({ width: 1920, height: 1080 }, mode, [{ width: 640, height: 640 }])).toEqual(letterboxGeometry(1920, 1080, 640, 640));
    }
  });
});
