import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { readSse } from "../support/sse";
import { startTestService, type TestService } from "../support/test-service";

const QUEUE_MAX = 4;
let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  // One worker and a short queue, so the queue is easy to fill.
  // One client here (in-process requests have no address): its own cap must not be what refuses first.
  svc = await startTestService({ WORKERS: "1", QUEUE_MAX: String(QUEUE_MAX), CLIENT_QUEUE_MAX: "1000" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

const idOf = async (res: Response) => ((await res.json()) as any).task_id as string;
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  svc.app.handle(new Request(`http://localhost${path}`, { method, headers }));
const settle = async (ids: string[]) => {
  for (const id of ids) await pollUntilDone(svc.app, id);
};

describe("GET /result/{id}/events", () => {
  test("streams queue positions, then processing, then the terminal event, and ends", async () => {
    const ahead = await Promise.all([1, 2].map(async () => idOf(await upload(svc.app, dog))));
    const id = await idOf(await upload(svc.app, dog));
    const res = await send("GET", `/result/${id}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res); // resolves only when the stream ends
    const names = events.map((e) => e.event);
    expect(names.at(-1)).toBe("completed");
    expect(names).toContain("processing");
    const positions = events.filter((e) => e.event === "pending").map((e) => e.data.queue_position);
    expect(positions.length).toBeGreaterThanOrEqual(2);
    expect(positions).toEqual([...positions].sort((a, b) => b - a)); // only ever moves up
    expect(events.at(-1)!.data.result.detections.length).toBe(3);
    expect(events.at(-1)!.data.result.annotated_image).toBeUndefined();
    await settle(ahead);
  });

  test("a finished task gives its terminal event at once; an unknown one is a 404 problem", async () => {
    const id = await idOf(await upload(svc.app, dog));
    await pollUntilDone(svc.app, id);
    const events = await readSse(await send("GET", `/result/${id}/events`));
    expect(events.map((e) => e.event)).toEqual(["completed"]);
    const missing = await send("GET", "/result/00000000-0000-4000-8000-000000000000/events");
    expect(missing.status).toBe(404);
  });
});
