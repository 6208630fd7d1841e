import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { REPO } from "./paths";

export const SCREENSHOTS = join(REPO, "tests/screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

/**
 * Debian's Chromium, headless. If it cannot start, this throws with the
 * reason, so the browser tests fail rather than skip.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  } catch (err) {
    throw new Error(`Chromium could not start (install it with: apt-get install -y chromium): ${(err as Error).message.split("\n")[0]}`);
  }
}
