import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/config";
import { modelNameOf, parseModelList } from "../../src/config/model-list";

const parse = (raw: string) => {
  const problems: string[] = [];
  return { models: parseModelList(raw, (p) => problems.push(p)), problems };
};

describe("MODELS", () => {
  test("paths and URLs with their checksum, the first the default; spaces and empty items ignored", () => {
    const sum = "AB".repeat(32);
    expect(parse(` fast=models/a.onnx, accurate=https://example.com/b.onnx#sha256=${sum},, plain=http://example.com/c.onnx`)).toEqual({
      models: [
        { name: "fast", path: "models/a.onnx" },
        { name: "accurate", url: "https://example.com/b.onnx", sha256: sum.toLowerCase() },
        { name: "plain", url: "http://example.com/c.onnx" },
      ],
      problems: [],
    });
  });

  test("every bad item is a problem of its own, and a URL is never echoed", () => {
    const { problems } = parse("=a.onnx,Big Name=b.onnx,ok=c.onnx,ok=d.onnx,empty=,ftp=ftp://user:secret@host/m.onnx");
    expect(problems).toEqual([
      "MODELS item 1 must be name=path or name=url (got no name)",
      `MODELS item 2: the name "Big Name" must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64`,
      'MODELS item 4: the name "ok" is given twice',
      "MODELS item 5 (empty) has no path or URL",
      "MODELS item 6 (ftp): a URL must start with http:// or https://",
    ]);
    expect(problems.join(" ")).not.toContain("secret");
  });

  test("MODEL_PATH alone is a list of one named after its file; both at once is a configuration problem", () => {
    expect(["/m/yolov8n.onnx", "/m/YOLO11n int8.ONNX", "/m/.onnx"].map(modelNameOf)).toEqual(["yolov8n", "yolo11n-int8", "model"]);
    expect(() => loadConfig({ MODELS: "a=/x.onnx", MODEL_PATH: "/y.onnx" })).toThrow("set MODELS or MODEL_PATH, not both");
    expect(loadConfig({ MODELS: "a=/x.onnx" }).models).toEqual([{ name: "a", path: "/x.onnx" }]);
  });
});
