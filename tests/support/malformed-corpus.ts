/**
 * A corpus of hostile and unusual uploads, generated in code from the shared photos
 * (no binary fixtures): valid-but-unusual images made with sharp, then damaged
 * deterministically (seeded PRNG) by truncation and bit flips, plus random bytes,
 * magic numbers alone, polyglots, non-images with a spoofed Content-Type and
 * headers that declare huge dimensions. Same seed, same bytes, same names.
 */
import sharp from "sharp";
import { concat, NOT_IMAGES, pngDeclaring, text } from "./crafted-files";
import { gifDeclaring, le32, patchJpegSof, webpDeclaring } from "./declared-dimensions";
import { jpegWithOrientation, patchExifOrientation, storedForOrientation } from "./exif-orientation";
import { readImage } from "./paths";
import { flipBits, mulberry32, randomBytes } from "./seeded-random";

export interface MalformedCase {
  /** unique, readable: family/detail */
  name: string;
  bytes: Uint8Array;
  filename: string;
  /** the Content-Type the client claims for the file part */
  type: string;
}

const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

const MIME: Record<string, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  tif: "image/tiff",
  avif: "image/avif",
};

/** Builds the whole corpus; deterministic for a given seed. */
export async function buildMalformedCorpus(seed = 0x5eed_2024): Promise<MalformedCase[]> {
  const rand = mulberry32(seed);
  const cases: MalformedCase[] = [];
  const add = (name: string, bytes: Uint8Array, ext: string, type = MIME[ext] ?? "application/octet-stream") => {
    if (cases.some((c) => c.name === name)) throw new Error(`duplicate case name ${name}`);
    cases.push({ name, bytes, filename: `${name.replace(/[^a-z0-9]+/gi, "-")}.${ext}`, type });
  };

  const dog = await readImage("dog.jpg");
  const [person, horses, giraffe, eagle] = await Promise.all(["person.jpg", "horses.jpg", "giraffe.jpg", "eagle.jpg"].map(readImage));
  const small = (src: Uint8Array, width = 320) => sharp(src).resize({ width });

  // --- valid but unusual images (these may simply complete) -------------------------------
  const valid: Record<string, [Uint8Array, string]> = {
    "jpeg-baseline": [dog, "jpg"],
    "jpeg-progressive": [u8(await small(person, 480).jpeg({ progressive: true, quality: 85 }).toBuffer()), "jpg"],
    "jpeg-cmyk": [u8(await small(dog, 480).toColourspace("cmyk").jpeg().toBuffer()), "jpg"],
    "jpeg-greyscale": [u8(await small(horses, 480).greyscale().jpeg().toBuffer()), "jpg"],
    "jpeg-1x1": [u8(await sharp({ create: { width: 1, height: 1, channels: 3, background: "#808080" } }).jpeg().toBuffer()), "jpg"],
    "jpeg-4x4000-tall-strip": [u8(await sharp({ create: { width: 4, height: 4000, channels: 3, background: "#204060" } }).jpeg().toBuffer()), "jpg"],
    "png-rgb": [u8(await small(horses).png().toBuffer()), "png"],
    "png-16bit-rgb": [u8(await small(giraffe).toColourspace("rgb16").png().toBuffer()), "png"],
    "png-16bit-grey": [u8(await small(eagle).toColourspace("grey16").png().toBuffer()), "png"],
    "png-greyscale": [u8(await small(giraffe).greyscale().png().toBuffer()), "png"],
    "png-grey-alpha": [u8(await small(eagle).greyscale().ensureAlpha(0.5).png().toBuffer()), "png"],
    "png-rgba": [u8(await small(dog).ensureAlpha(0.4).png().toBuffer()), "png"],
    "png-palette": [u8(await small(person).png({ palette: true, colours: 16 }).toBuffer()), "png"],
    "png-interlaced": [u8(await small(horses).png({ progressive: true }).toBuffer()), "png"],
    "webp-lossy": [u8(await small(giraffe).webp({ quality: 70 }).toBuffer()), "webp"],
    "webp-lossless": [u8(await small(eagle, 200).webp({ lossless: true }).toBuffer()), "webp"],
    "webp-alpha": [u8(await small(dog).ensureAlpha(0.6).webp().toBuffer()), "webp"],
    "gif-static": [u8(await small(person, 240).gif().toBuffer()), "gif"],
    "tiff-rgb": [u8(await small(horses, 240).tiff().toBuffer()), "tif"],
    "avif": [u8(await small(dog, 160).avif({ effort: 0 }).toBuffer()), "avif"],
  };
  const frames = await Promise.all([0, 90, 180, 270].map((hue) => sharp(dog).resize(240, 180).modulate({ hue }).png().toBuffer()));
  valid["gif-animated-4-frames"] = [u8(await sharp(frames, { join: { animated: true } }).gif({ delay: 100, loop: 0 }).toBuffer()), "gif"];
  valid["webp-animated-4-frames"] = [u8(await sharp(frames, { join: { animated: true } }).webp({ delay: 100 }).toBuffer()), "webp"];
  for (const [name, [bytes, ext]] of Object.entries(valid)) add(`valid/${name}`, bytes, ext);

  // every EXIF orientation, on a small JPEG (their geometry is checked separately), and illegal values
  const smallDog = u8(await small(dog, 240).jpeg().toBuffer());
  for (let n = 1; n <= 8; n++) add(`exif/orientation-${n}`, await jpegWithOrientation(smallDog, n, 85), "jpg");
  const tagged = await jpegWithOrientation(smallDog, 1, 85);
  for (const bad of [0, 9, 255, 65535]) add(`exif/orientation-illegal-${bad}`, patchExifOrientation(tagged, bad), "jpg");
  add("exif/orientation-6-on-png", u8(await (await storedForOrientation(smallDog, 6)).withMetadata({ orientation: 6 }).png().toBuffer()), "png");
  add("exif/orientation-8-on-webp", u8(await (await storedForOrientation(smallDog, 8)).withMetadata({ orientation: 8 }).webp().toBuffer()), "webp");

  // spoofed Content-Type / names on valid images: judged by bytes, so these complete
  add("spoofed/jpeg-as-octet-stream", dog, "bin", "application/octet-stream");
  add("spoofed/jpeg-as-text-html", dog, "html", "text/html");
  add("spoofed/png-as-image-jpeg", valid["png-rgb"][0], "jpg", "image/jpeg");
  add("spoofed/webp-as-image-png", valid["webp-lossy"][0], "png", "image/png");
  add("spoofed/gif-as-svg", valid["gif-static"][0], "svg", "image/svg+xml");
  add("spoofed/jpeg-no-type", dog, "jpg", "");

  // --- truncation at many offsets ----------------------------------------------------------
  const damageable: Record<string, [Uint8Array, string]> = {
    jpeg: valid["jpeg-baseline"],
    "jpeg-progressive": valid["jpeg-progressive"],
    "jpeg-cmyk": valid["jpeg-cmyk"],
    png: valid["png-rgb"],
    "png-16bit": valid["png-16bit-rgb"],
    webp: valid["webp-lossy"],
    "webp-lossless": valid["webp-lossless"],
    gif: valid["gif-static"],
    "gif-animated": valid["gif-animated-4-frames"],
  };
  const cuts = (len: number) => [1, 2, 3, 4, 8, 12, 16, 32, 100, Math.floor(len * 0.1), Math.floor(len * 0.25), Math.floor(len * 0.5), Math.floor(len * 0.9), len - 2, len - 1];
  for (const [fmt, [bytes, ext]] of Object.entries(damageable)) {
    const wide = fmt === "jpeg" || fmt === "png" || fmt === "webp";
    const offsets = [...new Set(cuts(bytes.length))].filter((o) => o > 0 && o < bytes.length);
    for (const o of wide ? offsets : offsets.filter((_, i) => i % 2 === 0)) add(`truncated/${fmt}-at-${o}-of-${bytes.length}`, bytes.subarray(0, o).slice(), ext);
  }

  // --- bit flips at seeded positions, anywhere and inside the header ------------------------
  for (const [fmt, [bytes, ext]] of Object.entries(damageable)) {
    const header = Math.min(bytes.length, fmt.startsWith("jpeg") ? 620 : 64);
    for (const bits of [1, 8, 64]) {
      for (let k = 0; k < 2; k++) add(`bitflip/${fmt}-${bits}-bits-anywhere-${k}`, flipBits(bytes, rand, bits), ext);
      add(`bitflip/${fmt}-${bits}-bits-in-header`, flipBits(bytes, rand, bits, 0, header), ext);
    }
  }
  // byte-level damage that bit flips rarely produce
  {
    const jpeg = dog;
    const zeroed = jpeg.slice();
    zeroed.fill(0, 2000, 60000);
    add("damage/jpeg-zeroed-middle", zeroed, "jpg");
    const noEoi = jpeg.subarray(0, jpeg.length - 2).slice();
    add("damage/jpeg-without-eoi", noEoi, "jpg");
    const noSos = jpeg.slice();
    for (let i = 2; i < noSos.length - 1; i++) if (noSos[i] === 0xff && noSos[i + 1] === 0xda) { noSos[i + 1] = 0xfe; break; }
    add("damage/jpeg-sos-turned-comment", noSos, "jpg");
    const noDht = jpeg.slice();
    for (let i = 2; i < noDht.length - 1; i++) if (noDht[i] === 0xff && noDht[i + 1] === 0xc4) noDht[i + 1] = 0xfe;
    add("damage/jpeg-huffman-tables-removed", noDht, "jpg");
    const png = valid["png-rgb"][0];
    const badCrc = png.slice();
    badCrc[29] ^= 0xff; // IHDR CRC
    add("damage/png-ihdr-crc-wrong", badCrc, "png");
    const noIend = png.subarray(0, png.length - 12).slice();
    add("damage/png-without-iend", noIend, "png");
    const webp = valid["webp-lossy"][0];
    const riffLie = webp.slice();
    new DataView(riffLie.buffer).setUint32(4, 0x7fffffff, true);
    add("damage/webp-riff-size-huge", riffLie, "webp");
    const riffZero = webp.slice();
    new DataView(riffZero.buffer).setUint32(4, 0, true);
    add("damage/webp-riff-size-zero", riffZero, "webp");
    add("damage/jpeg-repeated-3x", concat([jpeg.subarray(0, 4000), jpeg.subarray(0, 4000), jpeg.subarray(0, 4000)]), "jpg");
  }

  // --- random bytes, zeros, magic numbers alone ---------------------------------------------
  add("empty/zero-bytes", new Uint8Array(), "jpg");
  add("empty/one-nul", new Uint8Array(1), "jpg");
  add("empty/4k-of-nul", new Uint8Array(4096), "jpg");
  add("empty/4k-of-ff", new Uint8Array(4096).fill(0xff), "jpg");
  for (const size of [1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 64, 100, 255, 512, 1000, 4096, 10_000, 65_536, 250_000, 1_000_000]) {
    add(`random/${size}-bytes`, randomBytes(rand, size), "jpg");
  }
  const magics: Record<string, [Uint8Array, string]> = {
    jpeg: [new Uint8Array([0xff, 0xd8, 0xff]), "jpg"],
    "jpeg-soi-eoi": [new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), "jpg"],
    "jpeg-jfif-app0": [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), "jpg"],
    png: [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), "png"],
    gif87a: [text("GIF87a"), "gif"],
    gif89a: [text("GIF89a"), "gif"],
    webp: [concat([text("RIFF"), le32(4), text("WEBP")]), "webp"],
    "tiff-le": [new Uint8Array([0x49, 0x49, 0x2a, 0x00]), "tif"],
    "tiff-be": [new Uint8Array([0x4d, 0x4d, 0x00, 0x2a]), "tif"],
    avif: [concat([new Uint8Array([0, 0, 0, 0x1c]), text("ftypavif"), new Uint8Array(4), text("avifmif1miaf")]), "avif"],
    bmp: [text("BM"), "bmp"],
    pdf: [text("%PDF-"), "pdf"],
    zip: [new Uint8Array([0x50, 0x4b, 0x03, 0x04]), "zip"],
    elf: [new Uint8Array([0x7f, 0x45, 0x4c, 0x46]), "elf"],
  };
  for (const [name, [magic, ext]] of Object.entries(magics)) {
    add(`magic-only/${name}`, magic, ext);
    add(`magic-then-random/${name}-plus-2k`, concat([magic, randomBytes(rand, 2048)]), ext);
    add(`magic-then-zeros/${name}-plus-2k`, concat([magic, new Uint8Array(2048)]), ext);
  }

  // --- polyglots -------------------------------------------------------------------------------
  const zip = NOT_IMAGES.zip;
  const html = NOT_IMAGES.html;
  const jpegSmall = smallDog;
  add("polyglot/jpeg-then-zip", concat([jpegSmall, zip]), "jpg");
  add("polyglot/zip-then-jpeg", concat([zip, jpegSmall]), "jpg");
  add("polyglot/pdf-header-then-jpeg", concat([text("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), jpegSmall]), "jpg");
  add("polyglot/gif-header-then-html", concat([text("GIF89a"), html]), "gif");
  add("polyglot/gif89a-slash-star-js", text("GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain);"), "gif");
  add("polyglot/html-then-jpeg", concat([html, jpegSmall]), "jpg");
  add("polyglot/png-then-html", concat([valid["png-rgb"][0], html]), "png");
  add("polyglot/png-then-php", concat([valid["png-rgb"][0], text("<?php system($_GET['c']); ?>")]), "png");
  add("polyglot/jpeg-then-elf", concat([jpegSmall, NOT_IMAGES.elf]), "jpg");
  add("polyglot/svg-embedding-jpeg", text(`<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/jpeg;base64,${Buffer.from(jpegSmall).toString("base64")}"/></svg>`), "svg", "image/svg+xml");
  add("polyglot/jpeg-then-jpeg", concat([jpegSmall, jpegSmall]), "jpg");
  add("polyglot/jpeg-comment-holding-html", (() => {
    const body = text("<html><script>alert(1)</script></html>");
    const com = concat([new Uint8Array([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
    return concat([jpegSmall.subarray(0, 2), com, jpegSmall.subarray(2)]);
  })(), "jpg");
  add("polyglot/riff-wave-not-webp", concat([text("RIFF"), le32(36), text("WAVEfmt "), new Uint8Array(28)]), "webp", "image/webp");

  // --- headers declaring huge (or zero) dimensions ---------------------------------------------
  for (const [w, h] of [[65_535, 65_535], [100_000, 100_000], [1, 2_147_483_647], [2_147_483_647, 1], [7_000, 7_000], [40_001, 1_000], [0, 0], [0, 100], [2_000, 2_000]]) {
    add(`huge/png-declaring-${w}x${h}`, pngDeclaring(w, h), "png");
  }
  const tinyJpeg = u8(await sharp({ create: { width: 8, height: 8, channels: 3, background: "#336699" } }).jpeg().toBuffer());
  for (const [w, h] of [[65_500, 65_500], [65_535, 1_000], [1, 65_535], [6_400, 6_400], [0, 0], [6_000, 6_000]]) {
    add(`huge/jpeg-sof-declaring-${w}x${h}`, patchJpegSof(tinyJpeg, w, h), "jpg");
  }
  const tinyProgressive = u8(await sharp({ create: { width: 8, height: 8, channels: 3, background: "#996633" } }).jpeg({ progressive: true }).toBuffer());
  add("huge/progressive-jpeg-sof2-declaring-65500x65500", patchJpegSof(tinyProgressive, 65_500, 65_500), "jpg");
  for (const [w, h] of [[65_535, 65_535], [10_000, 5_000], [0, 0]]) add(`huge/gif-declaring-${w}x${h}`, gifDeclaring(w, h), "gif");
  for (const [w, h] of [[16_383, 16_383], [16_777_216, 16_777_216], [6_000, 6_000]]) add(`huge/webp-vp8x-declaring-${w}x${h}`, webpDeclaring(w, h), "webp");

  // --- not images, named and typed as JPEG / PNG / WebP ----------------------------------------
  for (const [name, bytes] of Object.entries(NOT_IMAGES)) {
    add(`not-image/${name}-as-image-jpeg`, bytes, "jpg", "image/jpeg");
    add(`not-image/${name}-as-image-png`, bytes, "png", "image/png");
    add(`not-image/${name}-as-image-webp`, bytes, "webp", "image/webp");
  }
  const bmp = new Uint8Array(70);
  bmp.set(text("BM"), 0);
  new DataView(bmp.buffer).setUint32(2, 70, true);
  add("not-image/bmp-header-as-image-jpeg", bmp, "jpg");
  add("not-image/json-as-image-jpeg", text('{"image":"dog.jpg"}'), "jpg");
  add("not-image/utf16-bom-text", concat([new Uint8Array([0xff, 0xfe]), text("h\0i\0")]), "jpg");
  add("not-image/gzip", Bun.gzipSync(dog.slice(0, 1000) as Uint8Array<ArrayBuffer>), "jpg");

  return cases;
}
