/**
 * Before `bun test`: the browser tests drive Debian's Chromium. If it is
 * missing and this is a Debian machine we are root on (as CI and a fresh
 * developer machine are), install it with apt; otherwise say how. Never
 * downloads a browser build of its own.
 */
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  const canApt = process.platform === "linux" && process.getuid?.() === 0 && Bun.which("apt-get") !== null;
  if (!canApt) {
    console.error(`Chromium not found at ${path}: the browser tests will fail. Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`);
  } else {
    console.error(`Chromium not found at ${path}: installing Debian's chromium package for the browser tests…`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const cmd of [["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]]) {
      const run = Bun.spawnSync(cmd, { env, stdout: "inherit", stderr: "inherit" });
      if (run.exitCode !== 0) {
        console.error(`${cmd.join(" ")} failed (exit ${run.exitCode}); the browser tests will fail.`);
        break;
      }
    }
  }
}
