import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO } from "./paths";
import { startTestService, type TestService } from "./test-service";

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

/** The real service, listening on a loopback port, and Chromium: what every browser test starts. */
export interface BrowserRig {
  svc: TestService;
  base: string;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startBrowserRig(env: Record<string, string>): Promise<BrowserRig> {
  const svc = await startTestService(env);
  const server = svc.app.listen({ port: 0, hostname: "127.0.0.1" });
  const browser = await launchChromium();
  return {
    svc,
    base: `http://127.0.0.1:${server.server!.port}`,
    browser,
    async stop() {
      await browser.close();
      server.stop();
      await svc.stop();
    },
  };
}

/** Requests of `page` that would leave the machine; data: and blob: URLs (an uploaded photo) stay in the browser. */
export function offsiteRequests(page: Page, base: string): string[] {
  const offsite: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !/^(data|blob):/.test(r.url())) offsite.push(r.url());
  });
  return offsite;
}
