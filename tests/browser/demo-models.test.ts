import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type BrowserRig, startBrowserRig } from "../support/browser";
import { IMAGES } from "../support/paths";
import { BOTH_MODELS } from "../support/shared-models";

// The demo page offers the running service's models (GET /models) and sends the one chosen; it takes an image's address too.
let rig: BrowserRig;

beforeAll(async () => {
  rig = await startBrowserRig({ WORKERS: "1", IMAGE_URL_ALLOW_PRIVATE: "true", MODELS: BOTH_MODELS });
});
afterAll(() => rig?.stop());

test("the model picker lists both models, the default chosen; dog.jpg with the other one is answered by it", async () => {
  const page = await rig.browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${rig.base}/`);
  await page.getByText("Model yolov8n, input 640×640").waitFor();
  const picker = page.getByLabel("Model", { exact: true });
  expect(await picker.locator("option").allInnerTexts()).toEqual(["yolov8n (default)", "yolo11n-320"]);
  await picker.selectOption("yolo11n-320");
  await page.getByText("Model yolo11n-320, input 320×320, 80 classes").waitFor();
  await page.getByLabel("Drop images here").setInputFiles(join(IMAGES, "dog.jpg"));
  const card = page.locator("li.card");
  await card.locator('.badge:text-is("completed")').waitFor({ timeout: 30_000 });
  expect(await card.locator(".detail").innerText()).toMatch(/found by yolo11n-320 in/);
  expect(await card.locator("tbody tr td:first-child").allInnerTexts()).toContain("dog");
  await page.close();
});

test("an image's address pasted into the page: the service fetches it and the card completes with the dog", async () => {
  // A loopback image host; this service may reach it (IMAGE_URL_ALLOW_PRIVATE on the rig below).
  const host = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(Bun.file(join(IMAGES, "dog.jpg"))) });
  const page = await rig.browser.newPage({ viewport: { width: 1100, height: 900 } });
  try {
    await page.goto(`${rig.base}/`);
    await page.getByLabel("Or paste an image's address").fill(`http://127.0.0.1:${host.port}/dog.jpg`);
    await page.getByRole("button", { name: "Detect" }).click();
    const card = page.locator("li.card", { has: page.locator(".file-name", { hasText: `127.0.0.1:${host.port}/dog.jpg` }) });
    await card.locator('.badge:text-is("completed")').waitFor({ timeout: 30_000 });
    expect(await card.locator("tbody tr td:first-child").allInnerTexts()).toContain("dog");
  } finally {
    await page.close();
    host.stop(true);
  }
});
