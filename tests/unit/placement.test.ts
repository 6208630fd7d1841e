import { describe, expect, test } from "bun:test";
import { inputShapes, SHAPE_STEP } from "../../src/detect/anchors";
import { letterboxGeometry } from "../../src/detect/letterbox";
import { placeImage } from "../../src/detect/placement";

// A free-shape session's set (every 32 px): the default model's.
const shapes = inputShapes(640, SHAPE_STEP.freeSession);
const placed = (width: number, height: number) => {
  const { dstW, dstH, newW, newH, left, top } = placeImage({ width, height }, "on", shapes);
  return [`${dstW}x${dstH}`, `${newW}x${newH}`, left, top];
};

describe("placeImage: where an image goes in the model's input, by rect mode", () => {
  test("off: centred in the square (Ultralytics' LetterBox at 640, as an ONNX export gets)", () => {
    expect(placeImage({ width: 768, height: 576 }, "off", shapes)).toEqual(letterboxGeometry(768, 576, 640, 640));
  });

  // Ultralytics' LetterBox(auto=True, stride=32) for these sizes: the input, the resized image in
  // it, and its left and top padding. Worked by its formula (padding (640 − new) mod 32 per axis,
  // split with round(pad ∓ 0.1)), not read off our code.
  test.each([
    ["4:3", 768, 576, "640x480", "640x480", 0, 0],
    ["3:2 (eagle.jpg)", 773, 512, "640x448", "640x424", 0, 12],
    ["3:2, odd padding (kite.jpg)", 1352, 900, "640x448", "640x426", 0, 11],
    ["16:9", 1920, 1080, "640x384", "640x360", 0, 12],
    ["portrait 3:4 (12 MP)", 3024, 4032, "480x640", "480x640", 0, 0],
    ["portrait 9:16", 1080, 1920, "384x640", "360x640", 12, 0],
    ["tiny, upscaled", 10, 7, "640x448", "640x448", 0, 0],
    ["tiny, odd padding", 3, 2, "640x448", "640x427", 0, 10],
    ["12 MP 4:3", 4000, 3000, "640x480", "640x480", 0, 0],
    ["panorama 4:1", 4000, 1000, "640x160", "640x160", 0, 0],
    ["square", 500, 500, "640x640", "640x640", 0, 0],
    ["3:1, odd padding", 1000, 333, "640x224", "640x213", 0, 5],
  ])("on: %s %i×%i runs at %s with the image %s at (%i, %i)", (_, width, height, input, resized, left, top) => {
    expect(placed(width, height)).toEqual([input, resized, left, top]);
  });

  test("on resizes exactly as the square does: only the grey around the image differs", () => {
    for (const [width, height] of [[773, 512], [1000, 333], [3, 2], [1080, 1920]]) {
      const { scale, newW, newH } = placeImage({ width, height }, "on", shapes);
      const square = letterboxGeometry(width, height, 640, 640);
      expect([scale, newW, newH]).toEqual([square.scale, square.newW, square.newH]);
    }
  });

  test("a model with a session per shape (every 64 px): centred in the next shape up", () => {
    const coarse = inputShapes(640, SHAPE_STEP.sessionPerShape);
    const at = (width: number, height: number) => {
      const g = placeImage({ width, height }, "on", coarse);
      return [`${g.dstW}x${g.dstH}`, g.top];
    };
    expect(at(768, 576)).toEqual(["640x512", 16]);
    expect(at(773, 512)).toEqual(["640x448", 12]);
    expect(at(1920, 1080)).toEqual(["640x384", 12]);
  });

  test("a word rect no longer takes (a task queued on Redis before: tight, true, false) runs as the square", () => {
    for (const old of ["tight", true, false]) {
      expect(placeImage({ width: 768, height: 576 }, old as unknown as "on", shapes)).toEqual(letterboxGeometry(768, 576, 640, 640));
    }
  });

  test("a model with only the square runs everything there, whatever the mode", () => {
    for (const mode of ["off", "on"] as const) {
      expect(placeImage({ width: 1920, height: 1080 }, mode, [{ width: 640, height: 640 }])).toEqual(letterboxGeometry(1920, 1080, 640, 640));
    }
  });
});
