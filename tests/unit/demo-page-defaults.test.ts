import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { KNOBS } from "../../src/domain/knobs";
import { REPO } from "../support/paths";

// The demo page is static HTML with no build step, so its sliders cannot read knobs.ts; this
// holds them to it, so a changed default (iou went from 0.45 to Ultralytics' 0.7) reaches the page.
test("the demo page's confidence and IoU sliders start at the knobs' defaults", async () => {
  const html = await Bun.file(resolve(REPO, "src/web/index.html")).text();
  for (const name of ["conf", "iou"]) {
    const knob = KNOBS.find((k) => k.name === name)! as { default: number };
    const slider = html.match(new RegExp(`<input id="${name}"[^>]*value="([0-9.]+)"`))?.[1];
    const shown = html.match(new RegExp(`<output id="${name}-value"[^>]*>([0-9.]+)<`))?.[1];
    expect([name, Number(slider), Number(shown)]).toEqual([name, knob.default, knob.default]);
  }
});
