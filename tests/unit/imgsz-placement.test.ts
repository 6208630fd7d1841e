import { describe, expect, test } from "bun:test";
import { inputShapes, SHAPE_STEP, shapesForSquare } from "../../src/detect/anchors";
import { placeImage } from "../../src/detect/placement";
import type { RectMode } from "../../src/domain/task";
import { imgszAllowed, imgszText, onlySize, sideFor } from "../../src/model/model-info";

const names = (shapes: { width: number; height: number }[]) => shapes.map((s) => `${s.width}x${s.height}`);
// yolov8n's own set: a free-shape session, every 32 px of short side.
const own640 = inputShapes(640, SHAPE_STEP.freeSession);

describe("shapesForSquare: a model's shapes at another imgsz", () => {
  test("its own size gives back its own shapes", () => {
    expect(shapesForSquare(own640, 640)).toEqual(own640);
  });

  test("another square keeps the model's step between short sides: 32 for a free-shape session, 64 for a session per shape", () => {
    expect(names(shapesForSquare(own640, 320))).toEqual([
      "320x320", "320x288", "288x320", "320x256", "256x320", "320x224", "224x320", "320x192", "192x320",
      "320x160", "160x320", "320x128", "128x320", "320x96", "96x320", "320x64", "64x320", "320x32", "32x320",
    ]);
    const big = names(shapesForSquare(own640, 1280));
    expect([big.length, ...big.slice(0, 3), ...big.slice(-2)]).toEqual([1 + 2 * 39, "1280x1280", "1280x1248", "1248x1280", "1280x32", "32x1280"]);
    expect(names(shapesForSquare(inputShapes(320, SHAPE_STEP.sessionPerShape), 448))).toEqual([
      "448x448", "448x384", "384x448", "448x320", "320x448", "448x256", "256x448", "448x192", "192x448", "448x128", "128x448", "448x64", "64x448",
    ]);
  });

  test("a model that offers only its square gets only the other square", () => {
    expect(names(shapesForSquare([{ width: 640, height: 640 }], 960))).toEqual(["960x960"]);
  });
});

// Ultralytics' LetterBox at imgsz (auto=True for rect=on, stride 32), worked by its formula:
// r = imgsz / long side, new = round(side × r), padding (imgsz − new) mod 32 per axis for on,
// imgsz − new for off, the top/left half rounded with round(pad − 0.1).
describe("placeImage within an imgsz square", () => {
  test.each([
    ["dog.jpg 768×576 at 320, on", 768, 576, 320, "on", "320x256", "320x240", 0, 8],
    ["dog.jpg 768×576 at 320, off", 768, 576, 320, "off", "320x320", "320x240", 0, 40],
    ["dog.jpg 768×576 at 1280, on", 768, 576, 1280, "on", "1280x960", "1280x960", 0, 0],
    ["dog.jpg 768×576 at 1280, off", 768, 576, 1280, "off", "1280x1280", "1280x960", 0, 160],
    ["16:9 1920×1080 at 320, on", 1920, 1080, 320, "on", "320x192", "320x180", 0, 6],
    ["eagle.jpg 773×512 at 320, on", 773, 512, 320, "on", "320x224", "320x212", 0, 6],
    ["kite.jpg 1352×900 at 1280, on", 1352, 900, 1280, "on", "1280x864", "1280x852", 0, 6],
    ["portrait 9:16 1080×1920 at 960, on", 1080, 1920, 960, "on", "544x960", "540x960", 2, 0],
  ] as const)("%s: input %s, the image %s at (%i, %i)", (_, width, height, side, mode, input, resized, left, top) => {
    const g = placeImage({ width, height }, mode as RectMode, shapesForSquare(own640, side));
    expect([`${g.dstW}x${g.dstH}`, `${g.newW}x${g.newH}`, g.left, g.top]).toEqual([input, resized, left, top]);
  });
});

describe("the sizes a model allows", () => {
  const free = { inputWidth: 640, inputHeight: 640, imgsz: { min: 320, max: 1280, step: 32 } };
  const perShape = { inputWidth: 320, inputHeight: 320, imgsz: onlySize(320) };

  test("a free-shape model: every 32 in its range, 0 and its own size", () => {
    expect([0, 320, 352, 640, 1280, 288, 336, 1312].map((s) => imgszAllowed(free, s))).toEqual([true, true, true, true, true, false, false, false]);
    expect(imgszText(free)).toBe("every 32 from 320 to 1280");
  });

  test("a model with a session per shape: its own size and 0 only", () => {
    expect([0, 320, 352, 640].map((s) => imgszAllowed(perShape, s))).toEqual([true, true, false, false]);
    expect(imgszText(perShape)).toBe("320");
  });

  test("sideFor: imgsz when allowed; its own size for 0, an absent imgsz (an older task), or one it does not allow", () => {
    expect([sideFor(free, 320), sideFor(free, 0), sideFor(free, undefined), sideFor(perShape, 640)]).toEqual([320, 640, 640, 320]);
  });
});
