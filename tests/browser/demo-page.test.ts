import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type BrowserRig, offsiteRequests, SCREENSHOTS, startBrowserRig } from "../support/browser";
import { NOT_IMAGES } from "../support/crafted-files";
import { IMAGES } from "../support/paths";

let rig: BrowserRig;
let base: string;
let browser: Browser;

beforeAll(async () => {
  // One worker, so several uploads visibly wait their turn.
  rig = await startBrowserRig({ WORKERS: "1" });
  ({ base, browser } = rig);
});
afterAll(() => rig?.stop());

async function openPage(width = 1100): Promise<{ page: Page; offsite: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const offsite = offsiteRequests(page, base);
  await page.goto(`${base}/`);
  await page.getByText("Model yolov8n, input 640×640").waitFor();
  return { page, offsite };
}

const cardFor = (page: Page, name: string) => page.locator("li.card", { has: page.locator(".file-name", { hasText: name }) });

describe("the demo page", () => {
  test("dog.jpg through the file input: the card ends completed with the annotated image and dog, bicycle, car, truck", async () => {
    const { page, offsite } = await openPage();
    await page.getByLabel("Drop images here").setInputFiles(join(IMAGES, "dog.jpg"));
    const card = cardFor(page, "dog.jpg");
    await card.locator('.badge:text-is("completed")').waitFor({ timeout: 30_000 });
    const img = card.locator("figure img");
    await expect(img.getAttribute("alt")).resolves.toContain("dog");
    await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 768, await img.elementHandle());
    const classes = await card.locator("tbody tr td:first-child").allInnerTexts();
    expect(classes.sort()).toEqual(["bicycle", "car", "dog", "truck"]);
    expect(await card.locator(".task-id").innerText()).toMatch(/^Task [0-9a-f-]{36}$/);
    await page.screenshot({ path: join(SCREENSHOTS, "demo-dog.png"), fullPage: true });
    expect(offsite).toEqual([]); // no CDN, works offline
    await page.close();
  });

  test("a PDF named .jpg shows the 415 problem on its card", async () => {
    const { page } = await openPage();
    await page.getByLabel("Drop images here").setInputFiles({ name: "report.jpg", mimeType: "image/jpeg", buffer: Buffer.from(NOT_IMAGES.pdf) });
    const card = cardFor(page, "report.jpg");
    await card.locator('.badge:text-is("rejected")').waitFor();
    expect(await card.locator(".detail").innerText()).toMatch(/^Unsupported image type: The upload is application\/pdf/);
    await page.screenshot({ path: join(SCREENSHOTS, "demo-rejected.png") });
    await page.close();
  });

  test("several at once: queue positions move up until every card completes", async () => {
    const { page } = await openPage();
    // Record every queue position each card shows.
    await page.evaluate(() => {
      (window as any).seen = {};
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          if (el.dataset.taskId && el.dataset.position) ((window as any).seen[el.dataset.taskId] ??= []).push(Number(el.dataset.position));
        }
      }).observe(document.getElementById("cards")!, { subtree: true, attributes: true, attributeFilter: ["data-position"] });
    });
    // The large kite.jpg first keeps the one worker busy while the others queue behind it, so
    // positions must move (with only small photos, a fast worker could start each on arrival).
    const files = ["kite.jpg", "dog.jpg", "horses.jpg", "person.jpg", "eagle.jpg", "giraffe.jpg"].map((f) => join(IMAGES, f));
    await page.getByLabel("Drop images here").setInputFiles(files);
    await page.waitForFunction((n) => document.querySelectorAll('li.card[data-state="completed"]').length === n, files.length, { timeout: 60_000 });
    const seen: Record<string, number[]> = await page.evaluate(() => (window as any).seen);
    const moved = Object.values(seen).filter((positions) => new Set(positions).size >= 2);
    expect(moved.length).toBeGreaterThan(0);
    for (const positions of Object.values(seen)) expect(positions).toEqual([...positions].sort((a, b) => b - a));
    await page.screenshot({ path: join(SCREENSHOTS, "demo-five.png"), fullPage: true });
    await page.close();
  });

  test("a pending card can be canceled from its button", async () => {
    const { page } = await openPage();
    // Ten images ahead of it on the one worker, so it is still pending when the click lands
    // (with two, and once with five, a slow click on a loaded box found it already done).
    const five = ["kite.jpg", "giraffe.jpg", "horses.jpg", "eagle.jpg", "dog.jpg"];
    const ahead = [...five, ...five];
    await page.getByLabel("Drop images here").setInputFiles([...ahead, "scream.jpg"].map((f) => join(IMAGES, f)));
    const last = cardFor(page, "scream.jpg");
    await last.getByRole("button", { name: "Cancel" }).click();
    await last.locator('.badge:text-is("canceled")').waitFor();
    expect(await last.getByRole("button", { name: "Cancel" }).isHidden()).toBe(true);
    await page.waitForFunction((n) => document.querySelectorAll('li.card[data-state="completed"]').length === n, ahead.length, { timeout: 30_000 });
    await page.close();
  });

  test("accessible: labelled controls, keyboard operable, fits a phone screen", async () => {
    const { page } = await openPage(375);
    for (const label of ["Drop images here", "Confidence above", "Overlap (IoU) threshold"]) {
      expect(await page.getByLabel(label).count()).toBeGreaterThan(0);
    }
    // Tab to the file input (after the docs link), press Space (or Enter): the file chooser opens.
    // The page must have the browser's focus for a keyboard-opened chooser.
    await page.bringToFront();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("file-input");
    // Headless Chromium now and then drops a keyboard-opened chooser under load: each key gets
    // two tries, the page brought to the front and the input refocused before each.
    const openWith = async (key: string) => {
      await page.bringToFront();
      await page.focus("#file-input");
      const [c] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), page.keyboard.press(key)]);
      return c;
    };
    const chooser = await openWith("Space")
      .catch(() => openWith("Enter"))
      .catch(() => openWith("Space"))
      .catch(() => openWith("Enter"));
    expect(chooser.isMultiple()).toBe(true);
    // The confidence knob moves with the arrow keys.
    await page.getByLabel("Confidence above").focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#conf-value").innerText()).toBe("0.30");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SCREENSHOTS, "demo-phone.png"), fullPage: true });
    await page.close();
  });
});

describe("the Swagger page", () => {
  test("renders every operation from local assets, and Try it out uploads an image", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const offsite = offsiteRequests(page, base);
    await page.goto(`${base}/docs`);
    await page.locator(".opblock-summary").first().waitFor({ timeout: 20_000 });
    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    for (const p of ["/predict", "/result/{id}", "/result/{id}/image", "/result/{id}/events", "/result/{id}/cancel", "/health/ready", "/metrics"]) {
      expect(paths.map((x) => x.replace(/\u200b/g, ""))).toContain(p);
    }
    await page.locator(".opblock-post .opblock-summary", { hasText: "/predict" }).first().click();
    await page.locator("button.try-out__btn").first().click();
    await page.setInputFiles('input[type="file"]', join(IMAGES, "dog.jpg"));
    await page.locator("button.execute").first().click();
    const status = page.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor({ timeout: 20_000 });
    expect([(await status.innerText()).trim(), await page.locator(".live-responses-table .microlight").first().innerText()]).toEqual(["201", expect.anything()]);
    expect(await page.locator(".live-responses-table .microlight").first().innerText()).toContain('"status": "pending"');
    await page.screenshot({ path: join(SCREENSHOTS, "docs-try-it-out.png") });
    expect(offsite).toEqual([]);
    await page.close();
  });
});
