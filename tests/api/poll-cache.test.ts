import { afterAll, beforeAll, expect, test } from "bun:test";
import { pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService, waitFor } from "../support/test-service";

let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "1" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

const get = (path: string, headers: Record<string, string> = {}) => svc.app.handle(new Request(`http://localhost${path}`, { headers }));

test("a finished task answers with a strong ETag, and 304 with no body when the client has that version", async () => {
  const id = ((await (await upload(svc.app, dog)).json()) as any).task_id;
  await pollUntilDone(svc.app, id);
  const first = await get(`/result/${id}`);
  const etag = first.headers.get("etag")!;
  expect(etag).toMatch(/^"[^"]+"$/);
  expect(first.headers.get("cache-control")).toBe("no-cache");
  expect(first.headers.get("retry-after")).toBeNull();
  const body = (await first.json()) as any;
  expect(body.result.annotated_image).toStartWith("data:image/jpeg;base64,");
  expect(body.result.detections.map((d: any) => d.class)).toContain("dog");

  const again = await get(`/result/${id}`, { "if-none-match": etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe("");
  expect(again.headers.get("etag")).toBe(etag);
  // another tag, or none: the whole view again, identical
  const other = await get(`/result/${id}`, { "if-none-match": '"something-else"' });
  expect([other.status, (await other.json()) as any]).toEqual([200, body]);
  // The poll builds its own Response from the headers hooks set: CORS is on the 200 and the 304 alike.
  const cors = (res: Response) => [res.status, res.headers.get("access-control-allow-origin"), res.headers.get("access-control-expose-headers"), res.headers.get("vary")];
  const exposed = "Location, Retry-After, Preference-Applied, Idempotent-Replayed";
  expect(cors(await get(`/result/${id}`, { origin: "https://anyone.example" }))).toEqual([200, "*", exposed, null]);
  expect(cors(await get(`/result/${id}`, { origin: "https://anyone.example", "if-none-match": etag }))).toEqual([304, "*", exposed, null]);
});

test("with an allow-list, a poll echoes a listed origin with Vary: Origin, once, on the 200 and the 304", async () => {
  const strict = await startTestService({ WORKERS: "1", CORS_ORIGINS: "https://app.example" });
  try {
    const id = ((await (await upload(strict.app, dog)).json()) as any).task_id;
    await pollUntilDone(strict.app, id);
    const poll = (headers: Record<string, string>) => strict.app.handle(new Request(`http://localhost/result/${id}`, { headers }));
    const cors = (res: Response) => [res.status, res.headers.get("access-control-allow-origin"), res.headers.get("vary")];
    const first = await poll({ origin: "https://app.example" });
    expect(cors(first)).toEqual([200, "https://app.example", "Origin"]);
    expect(cors(await poll({ origin: "https://app.example", "if-none-match": first.headers.get("etag")! }))).toEqual([304, "https://app.example", "Origin"]);
    expect(cors(await poll({ origin: "https://evil.example" }))).toEqual([200, null, "Origin"]);
  } finally {
    strict.stop();
  }
});

test("an open task's tag is weak, changes as it moves up, and comes with a Retry-After", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(((await (await upload(svc.app, dog)).json()) as any).task_id);
  const last = ids[2];
  const pending = await get(`/result/${last}`);
  const tag = pending.headers.get("etag")!;
  expect(tag).toStartWith('W/"');
  expect(Number(pending.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  const view = (await pending.json()) as any;
  if (view.status === "pending") {
    await waitFor(async () => (await get(`/result/${last}`, { "if-none-match": tag })).status === 200, 30_000, "the task to move on");
  }
  for (const id of ids) await pollUntilDone(svc.app, id);
});
