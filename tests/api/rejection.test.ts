import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { NOT_IMAGES, pngDeclaring, text } from "../support/crafted-files";
import { getJson, pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

const MAX_UPLOAD = 600_000;
let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD), MAX_PIXELS: "20000000", WORKERS: "1" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = (await res.json()) as any;
  // A copy: Bun's toMatchObject writes its matchers back into the object it is given.
  expect(structuredClone(body)).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String), detail: expect.any(String) });
  // No stack traces or internals.
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|vips|Error:/);
  return body;
}

describe("uploads refused by their bytes, never by the claimed type (415)", () => {
  for (const [name, bytes] of Object.entries(NOT_IMAGES)) {
    test(`${name} named .jpg and sent as image/jpeg`, async () => {
      await expectProblem(await upload(svc.app, bytes, { filename: `photo.jpg`, type: "image/jpeg" }), 415, "unsupported_media_type");
    });
  }

  test("an empty file", async () => {
    await expectProblem(await upload(svc.app, new Uint8Array()), 415, "unsupported_media_type");
  });

  test("a BMP, which this build of sharp cannot decode", async () => {
    const bmp = new Uint8Array(70);
    bmp.set(text("BM"), 0);
    new DataView(bmp.buffer).setUint32(2, 70, true);
    await expectProblem(await upload(svc.app, bmp, { filename: "a.bmp", type: "image/bmp" }), 415, "unsupported_media_type");
  });

  test("a real JPEG sent as application/pdf is still accepted", async () => {
    const res = await upload(svc.app, dog, { filename: "file.pdf", type: "application/pdf" });
    expect(res.status).toBe(201);
    expect((await pollUntilDone(svc.app, ((await res.json()) as any).task_id)).status).toBe("completed");
  });
});

describe("size limits (413) with a problem body", () => {
  test("refused by its declared Content-Length before the body is read", async () => {
    const big = await readImage("kite.jpg"); // 1.4 MB
    const body = await expectProblem(await upload(svc.app, big), 413, "payload_too_large");
    expect(body.detail).toContain(String(MAX_UPLOAD));
  });

  test("refused while streaming when no Content-Length is sent", async () => {
    const big = await readImage("kite.jpg");
    await expectProblem(await upload(svc.app, big, { contentLength: false }), 413, "payload_too_large");
  });

  test("a file just over the limit inside a small form is refused after parsing", async () => {
    const over = new Uint8Array(MAX_UPLOAD + 1);
    over.set(dog.subarray(0, 1000));
    await expectProblem(await upload(svc.app, over), 413, "payload_too_large");
  });

  test("the limit holds on a real socket too, where Bun's own 413 would have an empty body", async () => {
    const server = svc.app.listen({ port: 0, maxRequestBodySize: Number.MAX_SAFE_INTEGER });
    try {
      const form = new FormData();
      form.append("file", new File([(await readImage("kite.jpg")) as Uint8Array<ArrayBuffer>], "kite.jpg"));
      const res = await fetch(`http://127.0.0.1:${server.server!.port}/predict`, { method: "POST", body: form });
      await expectProblem(res, 413, "payload_too_large");
    } finally {
      server.stop();
    }
  });
});

describe("images refused by their header (422)", () => {
  test("a pixel bomb: a valid PNG header declaring 100000 × 100000", async () => {
    const body = await expectProblem(await upload(svc.app, pngDeclaring(100_000, 100_000), { filename: "bomb.png" }), 422, "too_many_pixels");
    expect(body.detail).toContain("100000×100000");
  });

  test("JPEG magic bytes followed by garbage", async () => {
    const junk = new Uint8Array(512).map((_, i) => (i * 7919) % 251);
    junk.set([0xff, 0xd8, 0xff, 0xe0], 0);
    await expectProblem(await upload(svc.app, junk), 422, "unreadable_image");
  });
});

describe("files that pass the checks but cannot be decoded become failed tasks", () => {
  test("a truncated JPEG", async () => {
    const res = await upload(svc.app, dog.subarray(0, Math.floor(dog.length * 0.4)));
    expect(res.status).toBe(201);
    const task = await pollUntilDone(svc.app, ((await res.json()) as any).task_id);
    expect(task.status).toBe("failed");
    expect(task.error.code).toBe("decode_failed");
    expect(task.error.message).toMatch(/truncated or corrupt/);
    expect(task.result).toBeUndefined();
    // and the service keeps working
    const health = await getJson(svc.app, "/health");
    expect(health.res.status).toBe(200);
  });

  test("a truncated PNG", async () => {
    const png = new Uint8Array(await sharp(dog).png().toBuffer());
    const res = await upload(svc.app, png.subarray(0, Math.floor(png.length / 2)), { filename: "x.png" });
    expect(res.status).toBe(201);
    const task = await pollUntilDone(svc.app, ((await res.json()) as any).task_id);
    expect([task.status, task.error?.code]).toEqual(["failed", "decode_failed"]);
  });
});

describe("malformed requests", () => {
  test("not multipart → 415", async () => {
    const res = await svc.app.handle(
      new Request("http://localhost/predict", { method: "POST", body: dog as Uint8Array<ArrayBuffer>, headers: { "content-type": "image/jpeg" } }),
    );
    await expectProblem(res, 415, "not_multipart");
  });

  test("multipart without a file field → 422 missing_file", async () => {
    const form = new FormData();
    form.append("conf", "0.5");
    const encoded = new Response(form);
    // Read the header before the body: Bun drops a FormData Response's content-type once .body is taken.
    const type = encoded.headers.get("content-type")!;
    const res = await svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: await encoded.arrayBuffer(), headers: { "content-type": type } }));
    const body = await expectProblem(res, 422, "missing_file");
    expect(body.detail).toContain("`file`");
  });

  test("a broken multipart body → 400", async () => {
    const res = await svc.app.handle(
      new Request("http://localhost/predict", {
        method: "POST",
        body: "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
      }),
    );
    await expectProblem(res, 400, "malformed_request");
  });

  test("an unknown route → 404 problem", async () => {
    await expectProblem(await svc.app.handle(new Request("http://localhost/nope")), 404, "route_not_found");
  });

  test("the image of a task still running → 409", async () => {
    const res = await upload(svc.app, dog);
    const { task_id } = (await res.json()) as any;
    const img = await svc.app.handle(new Request(`http://localhost/result/${task_id}/image`));
    await expectProblem(img, 409, "result_not_ready");
    await pollUntilDone(svc.app, task_id);
  });
});
