import { describe, expect, test } from "bun:test";
import { controlService } from "../support/control-service";
import { pollUntilDone, sendTo, taskIdOf as idOf, upload } from "../support/http";
import { readSse } from "../support/sse";
import type { TestService } from "../support/test-service";

let svc: TestService;
let dog: Uint8Array;
controlService((s, d) => ((svc = s), (dog = d)));

const send = (method: string, path: string, headers: Record<string, string> = {}) => sendTo(svc.app, method, path, headers);
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
    // Ids name the status, and a pending task's position; none ends in a bare colon ("processing:").
    expect(events.map((e) => e.id)).toEqual(events.map((e) => (e.event === "pending" ? `pending:${e.data.queue_position}` : e.event)));
    expect(events.at(-1)!.data.result.detections.length).toBe(4); // dog, bicycle, car and the truck on the car (Ultralytics' answer too)
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
