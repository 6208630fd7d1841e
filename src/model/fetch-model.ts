/**
 * `bun run model:fetch`: puts the model in models/ so the service (or a
 * container image) starts without a network. Copies MODEL_PATH or the
 * ../shared/models mirror when present, else downloads MODEL_URL with its
 * checksum and a progress bar.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, loadConfig } from "../config/config";
import { progressBar } from "../util/progress";
import { candidatePaths, ModelNotFound, resolveModel } from "./resolve-model";

async function main() {
  const config = loadConfig();
  const [dest] = candidatePaths();
  const bar = progressBar("downloading model");
  const found = await resolveModel({
    ...config,
    onProgress: (fraction, bytes) => bar.update(fraction, `${(bytes / 1e6).toFixed(1)} MB`),
  });
  if (found !== dest) {
    mkdirSync(dirname(dest), { recursive: true });
    if (!existsSync(dest)) copyFileSync(found, dest);
    console.log(`model: copied ${found} → ${dest}`);
  } else {
    console.log(`model: ${dest}`);
  }
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof ModelNotFound;
  console.error(`error: ${known ? err.message : `model fetch failed: ${(err as Error).message}`}`);
  process.exit(2);
});
