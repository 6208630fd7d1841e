/**
 * A Docker engine for the container tests: Debian's docker.io installed when
 * missing (debootstrap only when the base image is made: base-image.ts), and
 * `dockerd` started when nothing answers. Throws with the reason when it
 * cannot, so the tests fail saying why instead of skipping.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { aptInstall } from "../apt-install";

const DAEMON_LOG = "/var/tmp/yolo-api-dockerd.log";

function answers(): boolean {
  return Bun.spawnSync(["docker", "info", "--format", "{{.ServerVersion}}"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

export async function ensureDocker(): Promise<void> {
  if (!aptInstall("docker.io", "dockerd", "the container tests build and run the image")) throw new Error("no Docker engine: install docker.io");
  if (answers()) return;
  if (process.getuid?.() !== 0) throw new Error("the Docker daemon is not running, and only root can start it (run dockerd as root)");
  console.error(`docker: starting dockerd (log: ${DAEMON_LOG})…`);
  mkdirSync("/var/tmp", { recursive: true });
  const log = openSync(DAEMON_LOG, "a");
  // Detached: the daemon outlives this test run, so a second run reuses it and its build cache.
  Bun.spawn(["dockerd"], { stdout: log, stderr: log, stdin: "ignore", detached: true }).unref();
  closeSync(log);
  const deadline = Date.now() + 60_000;
  while (!answers()) {
    if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s; see ${DAEMON_LOG}`);
    await Bun.sleep(250);
  }
}
