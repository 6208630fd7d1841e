import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type BrowserRig, offsiteRequests, SCREENSHOTS, startBrowserRig } from "../support/browser";
import { IMAGES } from "../support/paths";
import { colorFor } from "../../src/detect/annotation-layout";

/** The demo page's live panel, burst control and result view, in Chromium against the real service. */
let rig: BrowserRig;
let base: string;
beforeAll(async () => {
  // One worker, so a burst visibly queues.
  rig = await startBrowserRig({ WORKERS: "1" });
  base = rig.base;
});
afterAll(() => rig?.stop());

async function openWithDog(width: number): Promise<{ page: Page; offsite: string[] }> {
  const page = await rig.browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
  const offsite = offsiteRequests(page, base);
  await page.goto(`${base}/`);
  await page.locator("#live-status", { hasText: "Live" }).waitFor();
  await page.getByLabel("Drop images here").setInputFiles(join(IMAGES, "dog.jpg"));
  await page.locator('li.card[data-state="completed"]').first().waitFor({ timeout: 30_000 });
  return { page, offsite };
}

describe("the live panel", () => {
  test("a burst of 12: the queue depth rises and returns to 0, the chart moves, every copy completes", async () => {
    const { page, offsite } = await openWithDog(1100);
    // Record every depth the panel shows, and the chart's total, as they change.
    await page.evaluate(() => {
      const w = window as any;
      w.depths = [];
      new MutationObserver(() => w.depths.push(Number(document.querySelector("#queue-depth")!.getAttribute("data-value")))).observe(
        document.querySelector("#queue-depth")!,
        { attributes: true, childList: true },
      );
    });
    // One image in the last minute is 0.02 a second: shown as such, not as 0.0 beside the chart's bar.
    await page.waitForFunction(() => Number(document.querySelector("#rate")!.textContent) > 0, undefined, { timeout: 15_000 });
    // The burst box never shows more than it sends: past its maximum it takes the maximum.
    await page.getByLabel("Burst: send the last image again").fill("40");
    expect([await page.getByLabel("Burst: send the last image again").inputValue(), await page.locator("#burst").innerText()]).toEqual(["20", "Send 20 copies"]);
    const chartBefore = Number(await page.locator("#chart").getAttribute("data-total"));
    await page.getByLabel("Burst: send the last image again").fill("12");
    await page.getByRole("button", { name: "Send 12 copies" }).click();
    // Mid-burst, for the record: the queue filled, the worker busy.
    await page.waitForFunction(() => Number(document.querySelector("#queue-depth")!.getAttribute("data-value")) > 2, undefined, { timeout: 15_000 });
    await page.locator("#live").screenshot({ path: join(SCREENSHOTS, "demo-live-burst.png") });
    await page.waitForFunction(() => document.querySelectorAll('li.card[data-state="completed"]').length === 13, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => (window as any).depths.some((d: number) => d > 0) && document.querySelector("#queue-depth")!.getAttribute("data-value") === "0", undefined, {
      timeout: 15_000,
    });
    const depths: number[] = await page.evaluate(() => (window as any).depths);
    expect(Math.max(...depths)).toBeGreaterThan(1);
    // Completions enter the chart once their second is over.
    await page.waitForFunction((before) => Number(document.querySelector("#chart")!.getAttribute("data-total")) >= before + 12, chartBefore, { timeout: 15_000 });
    expect(await page.locator("#chart rect").count()).toBe(60);
    expect(await page.locator("#workers li").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "demo-live-desktop.png"), fullPage: false });
    expect(offsite).toEqual([]);
    await page.close();
  }, 90_000);
});

describe("a finished task's result", () => {
  test("hovering a row lights its box and the reverse; focus does the same; class toggles hide and show boxes and rows", async () => {
    const { page } = await openWithDog(1100);
    const card = page.locator("li.card").first();
    const row = (cls: string) => card.locator(`tbody tr[data-class="${cls}"]`);
    const box = (cls: string) => card.locator(`.boxes g[data-class="${cls}"]`);
    const lit = async (el: ReturnType<typeof row>) => ((await el.getAttribute("class")) ?? "").split(" ").includes("hot");
    // Each box in the annotated JPEG's colour for its class (Ultralytics' palette, served as /palette.js).
    const boxColour = (cls: string) => box(cls).evaluate((g) => getComputedStyle(g).getPropertyValue("--box").trim());
    expect([await boxColour("dog"), await boxColour("car")]).toEqual([colorFor(16), colorFor(2)]);
    await row("dog").hover();
    expect([await lit(box("dog")), await lit(box("car"))]).toEqual([true, false]);
    // The truck's box lies on the car's (Ultralytics' answer too) and is drawn last, so it is the one under the pointer.
    await box("truck").hover();
    expect([await lit(row("truck")), await lit(row("dog"))]).toEqual([true, false]);
    // From the keyboard: focusing a row lights its box.
    await row("bicycle").focus();
    expect(await lit(box("bicycle"))).toBe(true);

    await card.getByLabel("car (1)").uncheck();
    expect(await box("car").isVisible()).toBe(false);
    expect(await row("car").isVisible()).toBe(false);
    expect(await box("dog").isVisible()).toBe(true);
    await card.getByLabel("car (1)").check();
    expect(await box("car").isVisible()).toBe(true);
    expect(await row("car").isVisible()).toBe(true);
    await page.close();
  }, 60_000);

  test("the download is the annotated JPEG; the curl command fetches the task", async () => {
    const { page } = await openWithDog(1100);
    const card = page.locator("li.card").first();
    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: "Download the annotated image (JPEG)" }).click()]);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(download.suggestedFilename()).toMatch(/^[0-9a-f-]{36}\.jpg$/);
    const id = (await card.getAttribute("data-task-id"))!;
    const command = await card.locator(".curl code").innerText();
    expect(command).toBe(`curl -s ${base}/result/${id}`);
    // What the command fetches: the task, completed.
    const fetched = (await (await fetch(command.split(" ").at(-1)!)).json()) as any;
    expect([fetched.task_id, fetched.status]).toEqual([id, "completed"]);
    await page.close();
  }, 60_000);

  test("at 375 px wide nothing overflows, with the panel and a result on the page", async () => {
    const { page } = await openWithDog(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SCREENSHOTS, "demo-live-phone.png"), fullPage: true });
    await page.close();
  }, 60_000);
});
