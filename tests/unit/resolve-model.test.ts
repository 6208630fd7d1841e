import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { candidatePaths, ModelNotFound, resolveModel, resolveModels } from "../../src/model/resolve-model";

/** A repository-like folder with nothing in models/ and no ../shared beside it. */
function emptyRoot(): string {
  const base = mkdtempSync(join(tmpdir(), "resolve-"));
  const root = join(base, "repo");
  mkdirSync(join(root, "models"), { recursive: true });
  return root;
}

const bytes = new TextEncoder().encode("not really a model, but bytes with a known digest");
const sha = createHash("sha256").update(bytes).digest("hex");
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  // A loopback stand-in for the model host, so the real download path runs.
  server = Bun.serve({ port: 0, fetch: (req) => (new URL(req.url).pathname === "/m.onnx" ? new Response(bytes) : new Response("no", { status: 404 })) });
});
afterAll(() => server.stop(true));

describe("resolveModel", () => {
  test("looks in models/ first, then ../shared/models", () => {
    const root = emptyRoot();
    expect(candidatePaths(root)).toEqual([join(root, "models", "yolov8n.onnx"), join(root, "..", "shared", "models", "yolov8n.onnx")]);
  });

  test("prefers models/ over ../shared/models", async () => {
    const root = emptyRoot();
    mkdirSync(join(root, "..", "shared", "models"), { recursive: true });
    writeFileSync(join(root, "..", "shared", "models", "yolov8n.onnx"), "shared");
    expect(await resolveModel({}, root)).toBe(join(root, "..", "shared", "models", "yolov8n.onnx"));
    writeFileSync(join(root, "models", "yolov8n.onnx"), "local");
    expect(await resolveModel({}, root)).toBe(join(root, "models", "yolov8n.onnx"));
  });

  test("MODEL_PATH wins, and a missing one is a clear error", async () => {
    const root = emptyRoot();
    const explicit = join(root, "custom.onnx");
    writeFileSync(explicit, "x");
    expect(await resolveModel({ modelPath: explicit }, root)).toBe(explicit);
    await expect(resolveModel({ modelPath: join(root, "missing.onnx") }, root)).rejects.toThrow(/MODEL_PATH points to .*missing\.onnx/);
  });

  test("downloads into models/ when nothing is local, checking the sha256 and reporting progress", async () => {
    const root = emptyRoot();
    const seen: number[] = [];
    const path = await resolveModel({ modelUrl: `http://127.0.0.1:${server.port}/m.onnx`, modelSha256: sha, onProgress: (_f, n) => seen.push(n) }, root);
    expect(path).toBe(join(root, "models", "yolov8n.onnx"));
    expect(await Bun.file(path).text()).toBe(new TextDecoder().decode(bytes));
    expect(seen.at(-1)).toBe(bytes.length);
  });

  test("a checksum mismatch keeps nothing", async () => {
    const root = emptyRoot();
    const wrong = "0".repeat(64);
    await expect(resolveModel({ modelUrl: `http://127.0.0.1:${server.port}/m.onnx`, modelSha256: wrong }, root)).rejects.toThrow(/expected 0{64}/);
    expect(existsSync(join(root, "models", "yolov8n.onnx"))).toBe(false);
    expect(existsSync(join(root, "models", "yolov8n.onnx.part"))).toBe(false);
  });

  test("offline with nothing local: says where it looked and how to provide a model", async () => {
    const root = emptyRoot();
    // Port 9 on loopback: nothing listens, so the connection is refused at once.
    const err = await resolveModel({ modelUrl: "http://127.0.0.1:9/yolov8n.onnx" }, root).catch((e) => e);
    expect(err).toBeInstanceOf(ModelNotFound);
    expect(err.message).toContain(join(root, "models", "yolov8n.onnx"));
    expect(err.message).toContain("MODEL_PATH");
    const missing = await resolveModel({ modelUrl: `http://127.0.0.1:${server.port}/gone.onnx` }, root).catch((e) => e);
    expect(missing.message).toContain("HTTP 404");
    rmSync(join(root, ".."), { recursive: true, force: true });
  });
});

describe("resolveModels (MODELS)", () => {
  test("a path item is used where it is, a URL item downloaded once into models/<name>.onnx and checked", async () => {
    const root = emptyRoot();
    const local = join(root, "fast.onnx");
    writeFileSync(local, "x");
    const url = `http://127.0.0.1:${server.port}/m.onnx`;
    const models = [{ name: "fast", path: local }, { name: "remote", url, sha256: sha }];
    expect(await resolveModels({ models }, root)).toEqual([{ name: "fast", path: local }, { name: "remote", path: join(root, "models", "remote.onnx") }]);
    expect(await Bun.file(join(root, "models", "remote.onnx")).text()).toBe(new TextDecoder().decode(bytes));
    // Downloaded once: a second start finds it, even with the host gone.
    expect((await resolveModels({ models: [{ name: "remote", url: "http://127.0.0.1:9/gone.onnx" }] }, root))[0].path).toBe(join(root, "models", "remote.onnx"));
    await expect(resolveModels({ models: [{ name: "bad", url, sha256: "0".repeat(64) }] }, root)).rejects.toThrow(/expected 0{64}/);
    expect(existsSync(join(root, "models", "bad.onnx"))).toBe(false);
    await expect(resolveModels({ models: [{ name: "lost", path: join(root, "no.onnx") }] }, root)).rejects.toThrow(/MODELS names lost=.*no\.onnx, which does not exist/);
  });

  test("without MODELS, the one model resolveModel finds, named after its file", async () => {
    const root = emptyRoot();
    writeFileSync(join(root, "models", "yolov8n.onnx"), "local");
    expect(await resolveModels({ models: [] }, root)).toEqual([{ name: "yolov8n", path: join(root, "models", "yolov8n.onnx") }]);
  });
});
