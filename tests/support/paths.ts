import { resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const SHARED = resolve(REPO, "../shared");
export const IMAGES = resolve(SHARED, "images");
export const MODELS = resolve(SHARED, "models");

export async function readImage(name: string): Promise<Uint8Array> {
  return new Uint8Array(await Bun.file(resolve(IMAGES, name)).arrayBuffer());
}

/**
 * The entry file a package.json script runs ("start" → the service), read from
 * package.json so a test starts what `bun start` starts, directly: through
 * `bun run` there would be a wrapper process between the test and the
 * service, echoing the command on stderr and standing between it and SIGKILL.
 */
export async function scriptEntry(script: string): Promise<string> {
  const { scripts } = (await Bun.file(resolve(REPO, "package.json")).json()) as { scripts: Record<string, string> };
  const entry = scripts[script]?.split(/\s+/).find((word) => word.endsWith(".ts"));
  if (!entry) throw new Error(`package.json's "${script}" script runs no .ts file: ${scripts[script]}`);
  return resolve(REPO, entry);
}
