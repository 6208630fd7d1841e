/**
 * The project's image, built from its Dockerfile unchanged on the stand-in
 * base (base-image.ts), with host networking so the build's package
 * downloads go out the way the host's do.
 */
import { resolve } from "node:path";
import { ensureBaseImage } from "./base-image";
import { ensureDocker } from "./ensure-docker";
import { imageBytes, run } from "./shell";

export const PROJECT_TAG = "yolo-api:test";
const REPO = resolve(import.meta.dir, "../../..");

/** Docker running, the base image made, the project's image built: its tag. */
export async function ensureProjectImage(): Promise<string> {
  await ensureDocker();
  ensureBaseImage();
  // The build bakes in what models/ holds; without a model there it would download one, which an
  // offline machine cannot. model:fetch puts one there (MODEL_PATH, ../shared/models, or the download).
  run(["bun", "run", "model:fetch"], "bun run model:fetch", REPO);
  console.error(`image: docker build -t ${PROJECT_TAG} (the project's Dockerfile, host network)…`);
  const t0 = performance.now();
  run(["docker", "build", "--network", "host", "-t", PROJECT_TAG, REPO], "docker build");
  console.error(`image: built in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${(imageBytes(PROJECT_TAG) / 1e6).toFixed(0)} MB`);
  return PROJECT_TAG;
}

if (import.meta.main) {
  await ensureProjectImage().catch((err) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  });
}
