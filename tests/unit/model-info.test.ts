import { describe, expect, test } from "bun:test";
import { COCO_NAMES } from "../../src/model/class-names";
import { describeModel, UnsupportedModel } from "../../src/model/model-info";
import type { ModelIo } from "../../src/model/onnx-session";

const io = (inputShape: number[], outputShape: number[]): ModelIo => ({
  inputName: "images",
  outputName: "output0",
  inputShape,
  outputShape,
});

// 320×320 input → 40² + 20² + 10² = 2100 anchors; 84 rows = 4 + 80 COCO classes
const FIXED_320 = io([1, 3, 320, 320], [1, 84, 2100]);
const DYNAMIC = io([-1, 3, -1, -1], [-1, 84, -1]);

describe("describeModel", () => {
  test("a fixed input shape gives the input size", () => {
    const info = describeModel("m.onnx", FIXED_320, {});
    expect([info.inputHeight, info.inputWidth]).toEqual([320, 320]);
  });

  test("a fixed input shape wins over metadata imgsz", () => {
    const info = describeModel("m.onnx", FIXED_320, { imgsz: "[640, 640]" });
    expect([info.inputHeight, info.inputWidth]).toEqual([320, 320]);
  });

  test("a dynamic input falls back to metadata imgsz, read as [height, width]", () => {
    const info = describeModel("m.onnx", DYNAMIC, { imgsz: "[480, 640]" });
    expect(info.inputHeight).toBe(480);
    expect(info.inputWidth).toBe(640);
  });

  test("a single imgsz number is used for both sides", () => {
    const info = describeModel("m.onnx", DYNAMIC, { imgsz: "320" });
    expect([info.inputHeight, info.inputWidth]).toEqual([320, 320]);
  });

  test("a dynamic input without imgsz falls back to 640", () => {
    const info = describeModel("m.onnx", DYNAMIC, {});
    expect([info.inputHeight, info.inputWidth]).toEqual([640, 640]);
  });

  test("names come from metadata when present and parseable", () => {
    const info = describeModel("pets.onnx", io([1, 3, 640, 640], [1, 6, 8400]), { names: "{0: 'cat', 1: 'dog'}" });
    expect(info.names).toEqual(["cat", "dog"]);
    expect(info.namesSource).toBe("metadata");
  });

  test("without names metadata the COCO names are used (and marked as fallback)", () => {
    const info = describeModel("m.onnx", FIXED_320, {});
    expect(info.names).toEqual([...COCO_NAMES]);
    expect(info.namesSource).toBe("coco-fallback");
    // a copy: callers must not be able to change the shared COCO list
    expect(info.names).not.toBe(COCO_NAMES);
  });

  test("unparseable names metadata also falls back to COCO", () => {
    const info = describeModel("m.onnx", FIXED_320, { names: "['person', 'bicycle']" });
    expect(info.namesSource).toBe("coco-fallback");
  });

  test("name, task and version are passed through", () => {
    const info = describeModel("yolov8n.onnx", FIXED_320, { task: "detect", version: "8.4.46" });
    expect(info).toMatchObject({ name: "yolov8n.onnx", task: "detect", version: "8.4.46" });
  });

  test("a non-detection task is refused", () => {
    expect(() => describeModel("seg.onnx", io([1, 3, 640, 640], [1, 116, 8400]), { task: "segment" })).toThrow(
      UnsupportedModel,
    );
    expect(() => describeModel("pose.onnx", FIXED_320, { task: "pose" })).toThrow(/pose/);
  });

  test("output rows that are not 4 + nc are refused", () => {
    // a segmentation head (4 + 80 + 32 mask coefficients) with no task metadata
    expect(() => describeModel("m.onnx", io([1, 3, 640, 640], [1, 116, 8400]), {})).toThrow(UnsupportedModel);
    // 2 names in metadata but an 84-row head
    expect(() => describeModel("m.onnx", FIXED_320, { names: "{0: 'cat', 1: 'dog'}" })).toThrow(UnsupportedModel);
  });

  test("an output that is not rank 3 is refused", () => {
    expect(() => describeModel("m.onnx", io([1, 3, 640, 640], [1, 84]), {})).toThrow(UnsupportedModel);
  });
});
