import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type BrowserRig, offsiteRequests, SCREENSHOTS, startBrowserRig } from "../support/browser";
import { IMAGES } from "../support/paths";

/**
 * Swagger UI at /docs against a service started with API_KEY: "Try it out"
 * on the upload is refused without a key, and succeeds once the key is given
 * through the Authorize dialog, as a new user would do it.
 */
const KEY = "swagger-test-key-7f3c";
let rig: BrowserRig;
beforeAll(async () => {
  rig = await startBrowserRig({ WORKERS: "1", API_KEY: KEY });
});
afterAll(() => rig?.stop());

/** Opens POST /predict, presses "Try it out", picks dog.jpg and executes; returns the status Swagger UI shows. */
async function tryUpload(page: Page, screenshot?: string): Promise<string> {
  const op = page.locator(".opblock-post", { has: page.locator('.opblock-summary-path[data-path="/predict"]') }).first();
  const body = op.locator(".opblock-body");
  if (!(await body.isVisible())) {
    await op.locator(".opblock-summary").click();
    await body.waitFor();
  }
  // "Try it out" once; the operation stays in that mode, its file input shown, after "Clear".
  const file = op.locator('input[type="file"]').first();
  if (!(await file.isVisible())) await op.getByRole("button", { name: "Try it out" }).click();
  await file.setInputFiles(join(IMAGES, "dog.jpg"));
  await op.getByRole("button", { name: "Execute" }).click();
  const status = op.locator(".live-responses-table tr.response td.response-col_status").first();
  await status.waitFor({ timeout: 30_000 });
  const text = (await status.innerText()).trim();
  if (screenshot) await op.locator(".responses-inner").first().screenshot({ path: screenshot });
  await op.getByRole("button", { name: "Clear" }).click();
  return text;
}

test("Swagger UI: an upload is 401 before Authorize and 201 after the key is given there", async () => {
  const page = await rig.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const offsite = offsiteRequests(page, rig.base);
  await page.goto(`${rig.base}/docs`);
  await page.locator(".opblock-summary-path").first().waitFor({ timeout: 30_000 });

  expect(await tryUpload(page)).toBe("401");

  await page.locator(".auth-wrapper .authorize").click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  // The X-API-Key scheme: its section has a text input for the value.
  const headerKey = dialog.locator(".auth-container", { hasText: "X-API-Key" });
  await headerKey.locator("input").fill(KEY);
  await headerKey.locator("button.authorize").click(); // labelled "Apply credentials"
  await headerKey.locator("button", { hasText: "Logout" }).waitFor();
  await headerKey.locator("button.btn-done").click();

  expect(await tryUpload(page, join(SCREENSHOTS, "swagger-authorized.png"))).toBe("201");
  expect(offsite).toEqual([]);
  await page.close();
}, 90_000);
