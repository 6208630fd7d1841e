import { describe, expect, test } from "bun:test";
import { parseNamesLiteral } from "../../src/model/class-names";
import { readOnnxMetadata } from "../../src/model/onnx-metadata";

const modelBytes = async (file: string) =>
  new Uint8Array(await Bun.file(new URL(`../../../shared/models/${file}`, import.meta.url)).arrayBuffer());

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe("readOnnxMetadata on hand-built protobuf", () => {
  test("reads metadata_props entries and skips every other field", () => {
    // prettier-ignore
    const bytes = new Uint8Array([
      // field 1 (ir_version), varint: tag (1<<3)|0 = 0x08, value 300 = 0xAC 0x02
      0x08, 0xac, 0x02,
      // field 2 (producer_name), length-delimited: tag 0x12, length 5, "hello"
      0x12, 0x05, ...ascii("hello"),
      // field 14 (metadata_props): tag (14<<3)|2 = 0x72, entry length 2+4+2+6 = 14
      0x72, 0x0e,
        0x0a, 0x04, ...ascii("task"),   // key   (field 1)
        0x12, 0x06, ...ascii("detect"), // value (field 2)
      // field 7 (graph): 3 bytes that are not valid protobuf; must be skipped by length, not parsed
      0x3a, 0x03, 0xff, 0xff, 0xff,
      // second entry, with an unknown varint field 3 (0x18 0x01) inside: length 2+2+5+2+10 = 21
      0x72, 0x15,
        0x18, 0x01,
        0x0a, 0x05, ...ascii("imgsz"),
        0x12, 0x0a, ...ascii("[320, 320]"),
    ]);
    expect(readOnnxMetadata(bytes)).toEqual({ task: "detect", imgsz: "[320, 320]" });
  });

  test("a file without metadata gives an empty record", () => {
    expect(readOnnxMetadata(new Uint8Array([0x08, 0x07, 0x12, 0x02, ...ascii("pt")]))).toEqual({});
    expect(readOnnxMetadata(new Uint8Array())).toEqual({});
  });

  test("UTF-8 values are decoded", () => {
    const value = [...new TextEncoder().encode("{0: 'café'}")]; // 12 bytes: é is 2
    // entry length 2+5 (key "names") + 2+12 = 21
    const bytes = new Uint8Array([0x72, 0x15, 0x0a, 0x05, ...ascii("names"), 0x12, value.length, ...value]);
    expect(readOnnxMetadata(bytes)).toEqual({ names: "{0: 'café'}" });
  });
});

describe("readOnnxMetadata on real Ultralytics exports", () => {
  test("yolov8n.onnx carries task, author, imgsz and 80 parseable names", async () => {
    const meta = readOnnxMetadata(await modelBytes("yolov8n.onnx"));
    expect(Object.keys(meta)).toEqual(expect.arrayContaining(["names", "imgsz", "task", "author"]));
    expect(meta.task).toBe("detect");
    expect(meta.author).toBe("Ultralytics");
    const names = parseNamesLiteral(meta.names);
    expect(names?.length).toBe(80);
    expect(names?.[0]).toBe("person");
    expect(names?.[16]).toBe("dog");
  });

  test("yolo11n-int8-dynamic-320.onnx records imgsz 320", async () => {
    const meta = readOnnxMetadata(await modelBytes("yolo11n-int8-dynamic-320.onnx"));
    expect(meta.imgsz).toContain("320");
    expect(meta.task).toBe("detect");
  });
});
