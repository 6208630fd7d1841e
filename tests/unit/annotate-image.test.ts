import { expect, test } from "bun:test";
import sharp from "sharp";
import type { Detection } from "../../src/domain/task";
import { annotateImage } from "../../src/pipeline/annotate";
import { decodeUpright } from "../../src/vision/decode";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const W = 400;
const H = 300;
const grey = async () => new Uint8Array(await sharp({ create: { width: W, height: H, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toBuffer());
const det: Detection = { class_id: 16, class: "dog", confidence: 0.93, box: { x1: 100, y1: 120, x2: 300, y2: 280 } };

async function pixels(jpeg: Uint8Array, left: number, top: number, width: number, height: number) {
  return sharp(jpeg).extract({ left, top, width, height }).raw().toBuffer();
}

const LIMITS = { maxPixels: 1e8, timeoutSeconds: 10 };
const annotate = async (dets: Detection[]) => annotateImage(await decodeUpright(await grey(), 0, LIMITS), dets, { width: W, height: H });

test("draws the box outline and a label bar in the class colour", async () => {
  const out = await annotate([det]);
  const meta = await sharp(out).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", W, H]);
  // Inside the box, away from the edges, the image is untouched.
  const inside = await pixels(out, 180, 180, 20, 20);
  expect(Math.max(...inside) - Math.min(...inside)).toBeLessThan(12);
  // The left edge carries the class colour #520085: blue over red, no green.
  const [r, g, b] = await pixels(out, 100, 200, 1, 1);
  expect(b).toBeGreaterThan(r);
  expect(g).toBeLessThan(50);
});

test("labels are real glyphs: different text gives different pixels", async () => {
  // With no usable font, Pango draws the same empty box for every character,
  // so "dog 0.93" and "cat 0.48" (same length) would come out identical.
  const a = await pixels(await annotate([det]), 100, 100, 60, 19);
  const b = await pixels(await annotate([{ ...det, class: "cat", confidence: 0.48 }]), 100, 100, 60, 19);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
  expect(diff / a.length).toBeGreaterThan(8);
  // and there is text at all: the bar (no green) carries light pixels
  let light = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i + 1] > 120) light++;
  expect(light).toBeGreaterThan(20);
});

test("class names with markup characters render without breaking the label", async () => {
  const out = await annotate([{ ...det, class: `<b>&"x'` }]);
  expect((await sharp(out).metadata()).width).toBe(W);
});

test("a file that cannot be decoded fails with decode_failed", async () => {
  const broken = (await grey()).subarray(0, 100);
  await expect(decodeUpright(broken, 0, LIMITS)).rejects.toMatchObject({ code: "decode_failed" });
});

test("a large photo is annotated on a shrunk copy, with the boxes scaled to it", async () => {
  // 4000×3000 decoded to fit 1000: a box at x 400..2000 in the original lands at 100..500.
  const big = new Uint8Array(await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 60, g: 60, b: 60 } } }).jpeg().toBuffer());
  const image = await decodeUpright(big, 1000, LIMITS);
  expect([image.width, image.height]).toEqual([1000, 750]);
  const out = await annotateImage(image, [{ ...det, box: { x1: 400, y1: 1200, x2: 2000, y2: 2800 } }], { width: 4000, height: 3000 });
  expect(((await sharp(out).metadata()) as { width: number }).width).toBe(1000);
  const [r, g, b] = await pixels(out, 100, 500, 1, 1); // on the left edge, scaled
  expect(b).toBeGreaterThan(r);
  expect(g).toBeLessThan(50);
  const inside = await pixels(out, 300, 500, 1, 1);
  expect(Math.abs(inside[0] - 60)).toBeLessThan(10);
});

test("labels keep real glyphs on a machine with no fonts at all (empty fontconfig)", async () => {
  // fontconfig reads FONTCONFIG_FILE when the process starts, so the drawing runs in a child
  // process whose configuration lists no font directory: only the shipped font file can draw.
  const dir = mkdtempSync(join(tmpdir(), "nofonts-"));
  await Bun.write(join(dir, "fonts.conf"), `<?xml version="1.0"?><fontconfig><cachedir>${dir}/cache</cachedir></fontconfig>`);
  const child = Bun.spawn(["bun", join(import.meta.dir, "../support/no-font-probe.ts")], {
    env: { ...process.env, FONTCONFIG_FILE: join(dir, "fonts.conf") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(code, err).toBe(0);
  // Identical empty boxes would give 0: real glyphs differ.
  expect(Number(out.trim())).toBeGreaterThan(8);
}, 30_000);
