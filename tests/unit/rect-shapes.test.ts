import { describe, expect, test } from "bun:test";
import { anchorCount, anchorPoints, anchorStrides, inputShapes, SHAPE_STEP } from "../../src/detect/anchors";
import { freeShapeModel, recogniseHead, reshapeModel } from "../../src/model/reshape-model";
import { openOnnxSession } from "../../src/model/onnx-session";
import { loadDetector } from "../../src/pipeline/load-detector";
import { resolve } from "node:path";
import { MODELS } from "../support/paths";
import { decodeTensor, valueInfo } from "../../src/model/onnx-proto";
import { field, fieldsOf, rewrite } from "../../src/model/proto-wire";

describe("anchor constants, pure", () => {
  test("a literal 64×32 input: 8×4 + 4×2 + 2×1 cells, row by row, level by level", () => {
    const shape = { width: 64, height: 32 };
    expect(anchorCount(shape)).toBe(32 + 8 + 2);
    const points = anchorPoints(shape);
    const n = 42;
    expect(Array.from(points.subarray(0, 9))).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 0.5]); // x of stride-8 cells, then row 2
    expect(Array.from(points.subarray(n, n + 9))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5]); // their y
    expect(Array.from(points.subarray(32, 42))).toEqual([0.5, 1.5, 2.5, 3.5, 0.5, 1.5, 2.5, 3.5, 0.5, 1.5]);
    expect(Array.from(anchorStrides(shape))).toEqual([...Array(32).fill(8), ...Array(8).fill(16), 32, 32]);
  });

  test("shapes: the square, then landscape and portrait rectangles down to one step, short sides 32 apart for a free-shape session and 64 for a session per shape", () => {
    const names = (shapes: { width: number; height: number }[]) => shapes.map((s) => `${s.width}x${s.height}`);
    const free = names(inputShapes(640, SHAPE_STEP.freeSession));
    expect(free.slice(0, 5)).toEqual(["640x640", "640x608", "608x640", "640x576", "576x640"]);
    expect(free.slice(-2)).toEqual(["640x32", "32x640"]);
    expect(free).toHaveLength(1 + 2 * 19);
    expect(names(inputShapes(640, SHAPE_STEP.sessionPerShape))).toEqual([
      "640x640", "640x576", "576x640", "640x512", "512x640", "640x448", "448x640", "640x384", "384x640",
      "640x320", "320x640", "640x256", "256x640", "640x192", "192x640", "640x128", "128x640", "640x64", "64x640",
    ]);
    expect(names(inputShapes(320, SHAPE_STEP.sessionPerShape))).toEqual(["320x320", "320x256", "256x320", "320x192", "192x320", "320x128", "128x320", "320x64", "64x320"]);
  });
});

/**
 * The model with some initializers also listed as graph inputs, as older exports list all of them
 * (onnx.proto: ModelProto.graph 7, GraphProto.initializer 5 and input 11): `listed` picks them.
 */
function initializersAsInputs(model: Uint8Array, listed: (name: string, index: number) => boolean): Uint8Array {
  return rewrite(model, (f) => {
    if (f.id !== 7) return undefined;
    const inits = fieldsOf(f.payload!).filter((g) => g.id === 5).map((g) => decodeTensor(g.payload!));
    const inputs = inits.filter((t, i) => listed(t.name, i)).map((t) => field(11, valueInfo(t.name, t.dataType, t.dims)));
    return field(7, Buffer.concat([f.payload!, ...inputs]));
  });
}

describe("the rebuilt ONNX head on the real models", () => {
  for (const file of [resolve(MODELS, "yolov8n.onnx"), resolve(MODELS, "yolo11n-int8-dynamic-320.onnx")]) {
    test(`${file.split("/").pop()}: the head is recognised, and the square rebuilt is the export's own constants, exactly`, async () => {
      const bytes = new Uint8Array(await Bun.file(file).arrayBuffer());
      const head = recogniseHead(bytes);
      if ("reason" in head) throw new Error(head.reason);
      const side = head.square.width;
      const rebuilt = recogniseHead(reshapeModel(bytes, head, head.square));
      expect(rebuilt).toEqual(head); // recogniseHead compares every value with anchorPoints/anchorStrides
      const rect = inputShapes(side, SHAPE_STEP.sessionPerShape)[1];
      const session = await openOnnxSession(reshapeModel(bytes, head, rect), 1);
      const out = await session.run(new Float32Array(3 * rect.width * rect.height).fill(0.45), [1, 3, rect.height, rect.width]);
      expect(out.dims).toEqual([1, 84, anchorCount(rect)]);
      await session.release();
    });
  }

  test("a model that also lists initializers as graph inputs (older exports), the head's constants among them, is rebuilt for a rectangle and freed", async () => {
    const plain = new Uint8Array(await Bun.file(resolve(MODELS, "yolov8n.onnx")).arrayBuffer());
    const head = recogniseHead(plain);
    if ("reason" in head) throw new Error(head.reason);
    const constants = [...head.anchorTensors, ...head.strideTensors];
    const bytes = initializersAsInputs(plain, (name, i) => i === 0 || constants.includes(name));
    const rect = { width: 640, height: 384 };
    const input = new Float32Array(3 * rect.width * rect.height).fill(0.45);
    const dims = [1, 3, rect.height, rect.width];
    const fixed = await openOnnxSession(reshapeModel(bytes, head, rect), 1);
    expect((await fixed.run(input, dims)).dims).toEqual([1, 84, anchorCount(rect)]);
    await fixed.release();
    const n = anchorCount(rect);
    const fed = Object.fromEntries([
      ...head.anchorTensors.map((name) => [name, { data: anchorPoints(rect), dims: [1, 2, n] }]),
      ...head.strideTensors.map((name) => [name, { data: anchorStrides(rect), dims: [1, n] }]),
    ]);
    const free = await openOnnxSession(freeShapeModel(bytes, head)!, 1, { fed: constants });
    expect((await free.run(input, dims, fed)).dims).toEqual([1, 84, n]);
    await free.release();
  });

  test("yolov8n.onnx with free input dimensions gives the fixed-size models' outputs exactly, at the square and a rectangle; YOLO11's head is left to a session per shape", async () => {
    const bytes = new Uint8Array(await Bun.file(resolve(MODELS, "yolov8n.onnx")).arrayBuffer());
    const head = recogniseHead(bytes);
    if ("reason" in head) throw new Error(head.reason);
    const free = freeShapeModel(bytes, head)!;
    expect(free).toBeDefined();
    const fed = [...head.anchorTensors, ...head.strideTensors];
    const one = await openOnnxSession(free, 1, { fed });
    for (const shape of [head.square, { width: 640, height: 576 }]) {
      const fixed = await openOnnxSession(shape === head.square ? bytes : reshapeModel(bytes, head, shape), 1);
      const input = new Float32Array(3 * shape.width * shape.height).map((_, i) => (i % 251) / 251);
      const dims = [1, 3, shape.height, shape.width];
      const n = anchorCount(shape);
      const constants = Object.fromEntries([
        ...head.anchorTensors.map((name) => [name, { data: anchorPoints(shape), dims: [1, 2, n] }]),
        ...head.strideTensors.map((name) => [name, { data: anchorStrides(shape), dims: [1, n] }]),
      ]);
      const [a, b] = [await fixed.run(input, dims), await one.run(input, dims, constants)];
      expect(b.dims).toEqual(a.dims);
      expect(b.data).toEqual(a.data);
      await fixed.release();
    }
    await one.release();
    const yolo11 = new Uint8Array(await Bun.file(resolve(MODELS, "yolo11n-int8-dynamic-320.onnx")).arrayBuffer());
    const head11 = recogniseHead(yolo11);
    if ("reason" in head11) throw new Error(head11.reason);
    expect(freeShapeModel(yolo11, head11)).toBeUndefined();
  });

  test("the detector runs every shape in one free-shape session for yolov8n and its int8 export, and a session per shape for YOLO11", async () => {
    const kinds: Record<string, string> = {};
    const logged: string[] = [];
    for (const file of ["yolov8n.onnx", "yolov8n-int8-dynamic.onnx", "yolo11n-int8-dynamic-320.onnx"]) {
      const detector = await loadDetector(resolve(MODELS, file), 1, { maxPixels: 1e7, timeoutSeconds: 30 }, 0, (level, msg) => logged.push(`${file}: ${level} ${msg}`));
      // The kind of sessions decides the memory a worker holds (docs/BENCHMARKS.md): read it where it is kept.
      kinds[file] = (detector as unknown as { sessions: object }).sessions.constructor.name;
      await detector.release();
    }
    expect(kinds).toEqual({ "yolov8n.onnx": "FreeShapeSessions", "yolov8n-int8-dynamic.onnx": "FreeShapeSessions", "yolo11n-int8-dynamic-320.onnx": "ShapeSessions" });
    // YOLO11's head is known not to take free dimensions, so no free session is tried and nothing is worth a warning.
    expect(logged).toEqual([]);
  });

  test("a head it does not know is refused with a reason", () => {
    expect(recogniseHead(new Uint8Array([0x08, 0x07]))).toEqual({ reason: "no graph" });
  });

});
