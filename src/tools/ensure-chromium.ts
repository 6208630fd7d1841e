/**
 * Before `bun test`: the browser tests drive Debian's Chromium. Never
 * downloads a browser build of its own.
 */
import { existsSync } from "node:fs";
import { aptInstall } from "./apt-install";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  if (!aptInstall("chromium", path, "the browser tests drive it")) console.error(`The browser tests will fail without Chromium at ${path} (or set CHROMIUM_PATH).`);
}
