import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type ModelSource, modelNameOf } from "../config/model-list";

export const DEFAULT_MODEL = "yolov8n.onnx";

/** The repository root: models/ and ../shared/models are looked up from here, wherever the process starts. */
const ROOT = resolve(import.meta.dir, "../..");

export class ModelNotFound extends Error {}

const HOW_TO_PROVIDE = (root: string) =>
  `Looked for ${candidatePaths(root).join(" and ")}. Put a YOLO detection model exported to ONNX ` +
  `there, set MODEL_PATH to one, or set MODEL_URL (and MODEL_SHA256) to a reachable download.`;

export interface ResolveOptions {
  modelPath?: string;
  modelUrl?: string;
  modelSha256?: string;
  /** progress of a download, 0..1 (undefined when the size is unknown) */
  onProgress?: (fraction: number | undefined, bytes: number) => void;
}

/** Where a model is looked for, in order. */
export function candidatePaths(root = ROOT): string[] {
  return [join(root, "models", DEFAULT_MODEL), join(root, "..", "shared", "models", DEFAULT_MODEL)];
}

/**
 * MODEL_PATH if given; else models/, then ../shared/models; else a download
 * from MODEL_URL into models/ (checked against MODEL_SHA256 when set).
 */
export async function resolveModel(opts: ResolveOptions = {}, root = ROOT): Promise<string> {
  if (opts.modelPath) {
    const p = resolve(opts.modelPath);
    if (!existsSync(p)) throw new ModelNotFound(`MODEL_PATH points to ${p}, which does not exist.`);
    return p;
  }
  const local = candidatePaths(root).find((p) => existsSync(p));
  if (local) return local;
  if (!opts.modelUrl) throw new ModelNotFound(`No model found. ${HOW_TO_PROVIDE(root)}`);
  return download(opts.modelUrl, join(root, "models", DEFAULT_MODEL), opts, root);
}

/** A model as the workers load it: its name (the `model` knob's word) and its file. */
export interface ModelFile {
  name: string;
  path: string;
}

/**
 * Every model the service runs, the default first: MODELS' items (a path must
 * exist; a URL is downloaded once into models/<name>.onnx and checked against
 * its sha256), or the one model resolveModel finds, named after its file.
 */
export async function resolveModels(opts: ResolveOptions & { models: readonly ModelSource[] }, root = ROOT): Promise<ModelFile[]> {
  if (!opts.models.length) {
    const path = await resolveModel(opts, root);
    return [{ name: modelNameOf(path), path }];
  }
  const files: ModelFile[] = [];
  for (const m of opts.models) {
    if ("path" in m) {
      const path = resolve(m.path);
      if (!existsSync(path)) throw new ModelNotFound(`MODELS names ${m.name}=${path}, which does not exist.`);
      files.push({ name: m.name, path });
      continue;
    }
    const dest = join(root, "models", `${m.name}.onnx`);
    files.push({ name: m.name, path: existsSync(dest) ? dest : await download(m.url, dest, { ...opts, modelSha256: m.sha256 }, root) });
  }
  return files;
}

async function download(url: string, dest: string, opts: ResolveOptions, root: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ModelNotFound(`No local model, and the download from ${url} failed (${(err as Error).message}). ${HOW_TO_PROVIDE(root)}`);
  }
  if (!res.ok || !res.body) {
    throw new ModelNotFound(`No local model, and the download from ${url} answered HTTP ${res.status}. ${HOW_TO_PROVIDE(root)}`);
  }
  const total = Number(res.headers.get("content-length")) || undefined;
  const hash = createHash("sha256");
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const sink = Bun.file(part).writer();
  let received = 0;
  for await (const chunk of res.body) {
    hash.update(chunk);
    sink.write(chunk);
    received += chunk.byteLength;
    opts.onProgress?.(total ? received / total : undefined, received);
  }
  await sink.end();
  const digest = hash.digest("hex");
  if (opts.modelSha256 && digest !== opts.modelSha256) {
    rmSync(part, { force: true });
    throw new ModelNotFound(`The model downloaded from ${url} has sha256 ${digest}, expected ${opts.modelSha256}.`);
  }
  renameSync(part, dest);
  return dest;
}
