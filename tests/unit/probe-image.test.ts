import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import { DomainError } from "../../src/domain/errors";
import { probeImage } from "../../src/vision/probe-image";
import { readImage } from "../support/paths";

const base = () => sharp({ create: { width: 64, height: 32, channels: 3, background: "#808080" } });

describe("probeImage", () => {
  test("a JPEG's upright size, read from its markers, is libvips' for every EXIF orientation", async () => {
    const plain = await base().jpeg().toBuffer();
    for (let orientation = 1; orientation <= 8; orientation++) {
      const bytes = new Uint8Array(await sharp(plain).withMetadata({ orientation }).jpeg().toBuffer());
      const vips = await sharp(bytes).metadata();
      expect([orientation, await probeImage(bytes, 1e9)]).toEqual([orientation, { width: vips.autoOrient!.width, height: vips.autoOrient!.height, format: "jpeg" }]);
    }
  });

  test("a real photo: the same size libvips reads", async () => {
    const dog = await readImage("dog.jpg");
    const vips = await sharp(dog).metadata();
    expect(await probeImage(dog, 1e9)).toEqual({ width: vips.width!, height: vips.height!, format: "jpeg" });
  });

  test("a JPEG over MAX_PIXELS is refused from its header alone", async () => {
    const dog = await readImage("dog.jpg");
    const refused = await probeImage(dog, 1000).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused.code).toBe("too_many_pixels");
  });

  test("other formats, and JPEGs whose markers it cannot read, go to libvips", async () => {
    const png = new Uint8Array(await base().png().toBuffer());
    expect(await probeImage(png, 1e9)).toEqual({ width: 64, height: 32, format: "png" });
    const broken = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2, 1, 2, 3]);
    expect((await probeImage(broken, 1e9).catch((e) => e)).code).toBe("unreadable_image");
  });
});
