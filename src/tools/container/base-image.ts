/**
 * A local stand-in for `oven/bun:1.4.5-slim`, for machines that reach the
 * npm registry and Debian's mirror but no image registry: Debian bookworm
 * from `debootstrap --variant=minbase` (trimmed as Debian's slim images are),
 * the Bun binary from the npm package `@oven/bun-linux-x64`, a `bun` user
 * with uid and gid 1000, and this machine's CA bundle (so registry TLS
 * verifies inside builds behind an intercepting proxy). Imported under the
 * official tag, so the project's Dockerfile builds unchanged.
 *
 * Cached by content: the recipe below and the CA bundle give a key, stored
 * as a label; a second run with the same key does nothing.
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageBytes, run, standInKey } from "./shell";
import { aptInstall } from "../apt-install";

export const BASE_TAG = "oven/bun:1.4.5-slim";
const RECIPE = {
  suite: "bookworm",
  variant: "minbase",
  mirror: "http://deb.debian.org/debian",
  bun: "@oven/bun-linux-x64@1.4.5",
  user: { name: "bun", uid: 1000, gid: 1000 },
  // What Debian's slim images leave out, and what a build never needs.
  trim: ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt", "var/lib/apt/lists", "var/log"],
  version: 1,
};
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const WORK = "/var/tmp/yolo-api-base";

function recipeKey(): string {
  const hash = createHash("sha256").update(JSON.stringify(RECIPE));
  if (existsSync(CA_BUNDLE)) hash.update(readFileSync(CA_BUNDLE));
  return hash.digest("hex").slice(0, 16);
}

/** Builds the stand-in base image unless one with the same key is there; returns its tag. */
export function ensureBaseImage(): string {
  const key = recipeKey();
  if (standInKey(BASE_TAG) === key) {
    console.error(`base image: ${BASE_TAG} (stand-in ${key}, cached)`);
    return BASE_TAG;
  }
  if (!aptInstall("debootstrap", "debootstrap", "the container tests make their base image from Debian")) throw new Error("debootstrap is missing");
  console.error(`base image: making a stand-in for ${BASE_TAG} (key ${key}): debootstrap, Bun from npm, user ${RECIPE.user.name}…`);
  const rootfs = join(WORK, `rootfs-${key}`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  run(["debootstrap", `--variant=${RECIPE.variant}`, RECIPE.suite, rootfs, RECIPE.mirror], "debootstrap");
  for (const dir of RECIPE.trim) {
    rmSync(join(rootfs, dir), { recursive: true, force: true });
    mkdirSync(join(rootfs, dir), { recursive: true });
  }

  // Bun: the binary the npm package ships (the same one `npm i -g bun` installs here).
  run(["npm", "pack", RECIPE.bun, "--pack-destination", WORK, "--silent"], "npm pack bun");
  const tarball = join(WORK, `oven-bun-linux-x64-${RECIPE.bun.split("@").pop()}.tgz`);
  run(["tar", "-xzf", tarball, "-C", WORK], "unpack bun");
  copyFileSync(join(WORK, "package/bin/bun"), join(rootfs, "usr/local/bin/bun"));
  chmodSync(join(rootfs, "usr/local/bin/bun"), 0o755);
  symlinkSync("bun", join(rootfs, "usr/local/bin/bunx"));

  const { name, uid, gid } = RECIPE.user;
  run(["chroot", rootfs, "groupadd", "--gid", String(gid), name], "groupadd");
  run(["chroot", rootfs, "useradd", "--uid", String(uid), "--gid", String(gid), "--create-home", "--shell", "/bin/sh", name], "useradd");

  mkdirSync(join(rootfs, "etc/ssl/certs"), { recursive: true });
  if (existsSync(CA_BUNDLE)) copyFileSync(CA_BUNDLE, join(rootfs, CA_BUNDLE));
  writeFileSync(join(rootfs, "etc/hostname"), "bun\n");

  const changes = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    `ENV NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
    `LABEL stand-in.key=${key}`,
    "WORKDIR /home/bun/app",
    'CMD ["/usr/local/bin/bun"]',
  ].flatMap((c) => ["--change", c]);
  const tar = join(WORK, "rootfs.tar");
  run(["tar", "-C", rootfs, "--numeric-owner", "-cf", tar, "."], "tar the root filesystem");
  run(["docker", "import", ...changes, tar, BASE_TAG], "docker import");
  rmSync(WORK, { recursive: true, force: true });
  console.error(`base image: ${BASE_TAG} ready, ${(imageBytes(BASE_TAG) / 1e6).toFixed(0)} MB`);
  return BASE_TAG;
}
