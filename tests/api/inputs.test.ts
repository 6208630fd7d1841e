import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getJson, pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import sharp from "sharp";
import { startTestService, type TestService, waitFor } from "../support/test-service";

// The inputs users bring besides one multipart file, on whichever backend TEST_BACKEND names:
// an image by URL, base64 in JSON, several images in one request; and each one's hostile form.
const MAX_UPLOAD = 2 * 1024 * 1024;

let svc: TestService;
let closed: TestService;
/** 127.0.0.2 stands for the public side here, 127.0.0.1 for a private address */
let ruled: TestService;
let privateHits = 0;
/** the "public" image host, on 127.0.0.2 */
let publicSide: ReturnType<typeof Bun.serve>;
let dog: Uint8Array;
let images: ReturnType<typeof Bun.serve>;
/** bytes each endless or oversized answer managed to send before the service stopped reading */
const sent: Record<string, number> = {};

const count = (name: string) => (chunk: Uint8Array) => {
  sent[name] = (sent[name] ?? 0) + chunk.byteLength;
  return chunk;
};

beforeAll(async () => {
  dog = await readImage("dog.jpg");
  images = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/dog.jpg") return new Response(dog as Uint8Array<ArrayBuffer>, { headers: { "content-type": "image/jpeg" } });
      if (path === "/private") return (privateHits++, new Response("internal"));
      if (path === "/page.html") return new Response("<html>not an image</html>", { headers: { "content-type": "text/html" } });
      if (path === "/forever") return new Response(new ReadableStream({ async pull(c) { await Bun.sleep(20); c.enqueue(count("forever")(new Uint8Array(1024))); } }));
      // 50 MB, undeclared: only counting while reading can stop it
      if (path === "/huge") return new Response(new ReadableStream({ pull(c) { if ((sent.huge ?? 0) >= 50 * 1024 * 1024) c.close(); else c.enqueue(count("huge")(new Uint8Array(256 * 1024))); } }));
      return new Response("no", { status: 404 });
    },
  });
  publicSide = Bun.serve({
    hostname: "127.0.0.2",
    port: 0,
    fetch: (req) => (new URL(req.url).pathname === "/to-private" ? Response.redirect(`http://127.0.0.1:${images.port}/private`, 302) : new Response(dog as Uint8Array<ArrayBuffer>)),
  });
  const env = { WORKERS: "1", MAX_UPLOAD_BYTES: String(MAX_UPLOAD), IMAGE_URL_TIMEOUT_MS: "1500", QUEUE_MAX: "20" };
  [svc, closed, ruled] = await Promise.all([
    startTestService({ ...env, IMAGE_URL_ALLOW_PRIVATE: "true" }),
    startTestService(env),
    startTestService(env, { imageUrlAllowance: (address) => address === "127.0.0.2" }),
  ]);
}, 60_000);
afterAll(async () => {
  images.stop(true);
  publicSide.stop(true);
  await Promise.all([svc.stop(), closed.stop(), ruled.stop()]);
});

const imageUrl = (path: string) => `http://127.0.0.1:${images.port}${path}`;
const postJson = (s: TestService, body: unknown, headers: Record<string, string> = {}) =>
  s.app.handle(new Request("http://localhost/predict", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } }));
/** A multipart body with `file` repeated, as curl -F file=@a -F file=@b sends it. */
function files(parts: Uint8Array[], fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const form = new FormData();
  parts.forEach((p, i) => form.append("file", new File([p as Uint8Array<ArrayBuffer>], `${i}.jpg`)));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: form, headers }));
}
const problem = async (res: Response) => [res.status, ((await res.json()) as any).code];
const found = (task: any) => task.result.detections.map((d: any) => d.class);
const inFlight = async (s: TestService) => (await getJson(s.app, "/health")).body.uploads_in_flight.bytes;
/** Every refused or answered body's bytes leave the in-flight budget (after its response is sent). */
const settles = (s: TestService) => waitFor(async () => (await inFlight(s)) === 0, 5000, "uploads in flight back to 0");

describe("an image by URL", () => {
  test("a URL on loopback (IMAGE_URL_ALLOW_PRIVATE=true) completes with the dog: as a form field, a query parameter or in JSON", async () => {
    const form = new FormData();
    form.append("url", imageUrl("/dog.jpg"));
    const byForm = await svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: form }));
    const byJson = await postJson(svc, { url: imageUrl("/dog.jpg"), annotate: false });
    for (const res of [byForm, byJson]) {
      expect(res.status).toBe(201);
      expect(found(await pollUntilDone(svc.app, ((await res.json()) as any).task_id))).toContain("dog");
    }
    const viaQuery = await svc.app.handle(new Request(`http://localhost/predict?url=${encodeURIComponent(imageUrl("/dog.jpg"))}`, { method: "POST", body: new FormData() }));
    expect(viaQuery.status).toBe(201);
  }, 60_000);

  test("without the setting, a loopback URL is refused (422 image_url_forbidden), and the image server sees no request", async () => {
    const before = sent.dogServed;
    expect(await problem(await postJson(closed, { url: imageUrl("/dog.jpg") }))).toEqual([422, "image_url_forbidden"]);
    expect(sent.dogServed).toBe(before);
  });

  test("a URL that redirects to a private address is refused on that hop, before a request reaches it", async () => {
    const res = await postJson(ruled, { url: `http://127.0.0.2:${publicSide.port}/to-private` });
    expect(await problem(res)).toEqual([422, "image_url_forbidden"]);
    expect(privateHits).toBe(0);
    // The same image from the allowed side arrives.
    expect((await postJson(ruled, { url: `http://127.0.0.2:${publicSide.port}/dog.jpg`, annotate: false })).status).toBe(201);
  }, 30_000);

  test("hostile URLs: one that never ends, one of 50 MB, a page, a 404; each a 422 of its own, nothing held after", async () => {
    expect(await problem(await postJson(svc, { url: imageUrl("/forever") }))).toEqual([422, "image_url_timeout"]);
    expect(await problem(await postJson(svc, { url: imageUrl("/huge") }))).toEqual([422, "image_url_too_large"]);
    // Reading stopped at MAX_UPLOAD_BYTES (plus what the sockets had buffered), far from 50 MB.
    expect(sent.huge).toBeLessThan(MAX_UPLOAD + 8 * 1024 * 1024);
    expect(await problem(await postJson(svc, { url: imageUrl("/page.html") }))).toEqual([422, "image_url_not_image"]);
    expect(await problem(await postJson(svc, { url: imageUrl("/missing.jpg") }))).toEqual([422, "image_url_unreachable"]);
    expect(await problem(await postJson(svc, { url: "file:///etc/passwd" }))).toEqual([422, "image_url_forbidden"]);
    await settles(svc);
  }, 30_000);
});

describe("base64 in JSON", () => {
  test("a base64 image and a data: URL complete, with knobs as JSON values", async () => {
    const b64 = Buffer.from(dog).toString("base64");
    for (const image of [b64, `data:image/jpeg;base64,${b64}`]) {
      const res = await postJson(svc, { image, annotate: false, conf: 0.5, classes: [16] });
      expect(res.status).toBe(201);
      const task = await pollUntilDone(svc.app, ((await res.json()) as any).task_id);
      expect(found(task)).toEqual(["dog"]);
    }
  }, 60_000);

  test("hostile JSON: 100 MB of base64 is refused before it is read, declared or not; no image, not base64, not JSON", async () => {
    const huge = { "content-type": "application/json", "content-length": String(100 * 1024 * 1024) };
    const declared = await svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: '{"image":"AAAA', headers: huge }));
    expect(await problem(declared)).toEqual([413, "payload_too_large"]);
    // Undeclared (chunked): counted while it arrives and cut at the cap.
    let pulled = 0;
    const endless = new ReadableStream({
      pull(c) {
        pulled += 65536;
        c.enqueue(new TextEncoder().encode(pulled === 65536 ? '{"image":"' : "A".repeat(65536)));
      },
    });
    const chunked = await svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: endless, headers: { "content-type": "application/json" } }));
    expect(await problem(chunked)).toEqual([413, "payload_too_large"]);
    expect(pulled).toBeLessThan(4 * MAX_UPLOAD);
    expect(await problem(await postJson(svc, { annotate: false }))).toEqual([422, "missing_file"]);
    expect(await problem(await postJson(svc, { image: "not base64 at all!" }))).toEqual([422, "validation_failed"]);
    const broken = await svc.app.handle(new Request("http://localhost/predict", { method: "POST", body: '{"image": ', headers: { "content-type": "application/json" } }));
    expect(await problem(broken)).toEqual([400, "malformed_request"]);
    await settles(svc);
  });
});

describe("several images in one request", () => {
  test("three files make three tasks, answered together with their ids and links; Prefer: wait waits for all", async () => {
    const res = await files([dog, dog, dog], { annotate: "false" });
    expect(res.status).toBe(201);
    const { tasks } = (await res.json()) as any;
    expect(tasks.length).toBe(3);
    expect(new Set(tasks.map((t: any) => t.task_id)).size).toBe(3);
    for (const t of tasks) expect(found(await pollUntilDone(svc.app, t.task_id))).toContain("dog");
    const waited = await files([dog, dog], { annotate: "false" }, { prefer: "wait=60" });
    const body = (await waited.json()) as any;
    expect([waited.status, body.tasks.map((t: any) => t.status)]).toEqual([200, ["completed", "completed"]]);
  }, 120_000);

  test("an Idempotency-Key answers the whole request again with the same tasks", async () => {
    const key = { "idempotency-key": `many-${crypto.randomUUID()}` };
    const first = (await (await files([dog, dog], { annotate: "false" }, key)).json()) as any;
    const again = await files([dog, dog], { annotate: "false" }, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as any).tasks.map((t: any) => t.task_id)).toEqual(first.tasks.map((t: any) => t.task_id));
  }, 60_000);

  test("1,000 files in one request are refused whole (422 too_many_images); a request that does not fit the queue is refused whole (429)", async () => {
    const tiny = new Uint8Array([0xff, 0xd8, 0xff]);
    expect(await problem(await files(Array.from({ length: 1000 }, () => tiny)))).toEqual([422, "too_many_images"]);
    const queued = () => svc.logs.filter((l) => l.msg === "task" && l.status === "pending").length;
    const before = queued();
    // QUEUE_MAX is 20 here, the last 2 places kept for clients with nothing waiting: with another
    // client's tasks waiting, fourteen small images fit the cap on images, not the queue.
    const pending = await Promise.all(Array.from({ length: 8 }, () => upload(svc.app, dog, { fields: { annotate: "false" }, headers: { "x-forwarded-for": "203.0.113.9" } })));
    const small = new Uint8Array(await sharp(dog).resize(64, 48).jpeg().toBuffer());
    const refused = await files(Array.from({ length: 14 }, () => small), { annotate: "false" });
    expect([refused.status, ((await refused.json()) as any).code]).toEqual([429, "client_queue_full"]);
    // Only the eight single uploads were queued: none of the refused request's fourteen.
    expect(queued() - before).toBe(8);
    for (const res of pending) await pollUntilDone(svc.app, ((await res.json()) as any).task_id);
    await settles(svc);
  }, 120_000);
});
