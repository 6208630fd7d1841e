/**
 * A local stand-in for `redis:7` (docs/compose.yaml's Redis), for machines
 * that reach Debian's mirror but no image registry: Debian's redis-server
 * on the stand-in base. Cached by its recipe, as the base image is.
 */
import { createHash } from "node:crypto";
import { BASE_TAG, ensureBaseImage } from "./base-image";
import { imageId, standInKey } from "./shell";

export const REDIS_TAG = "redis:7";
const DOCKERFILE = `FROM ${BASE_TAG}
USER root
RUN apt-get update && apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*
USER redis
WORKDIR /var/lib/redis
CMD ["redis-server"]
`;

export function ensureRedisImage(): string {
  const base = ensureBaseImage();
  const baseId = imageId(base) ?? "";
  const key = createHash("sha256").update(DOCKERFILE).update(baseId).digest("hex").slice(0, 16);
  if (standInKey(REDIS_TAG) === key) return REDIS_TAG;
  console.error(`redis image: making a stand-in for ${REDIS_TAG} (Debian's redis-server)…`);
  const build = Bun.spawnSync(["docker", "build", "--network", "host", "--label", `stand-in.key=${key}`, "-t", REDIS_TAG, "-"], {
    stdin: new Blob([DOCKERFILE]),
    stdout: "inherit",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error(`building the ${REDIS_TAG} stand-in failed (exit ${build.exitCode})`);
  return REDIS_TAG;
}
