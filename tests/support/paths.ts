import { resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const SHARED = resolve(REPO, "../shared");
export const IMAGES = resolve(SHARED, "images");
export const MODELS = resolve(SHARED, "models");

export async function readImage(name: string): Promise<Uint8Array> {
  return new Uint8Array(await Bun.file(resolve(IMAGES, name)).arrayBuffer());
}
