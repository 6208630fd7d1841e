import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getJson, pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, statusOf, type TestService, waitFor } from "../support/test-service";

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
const status = (id: string) => statusOf(svc, id);
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  svc.app.handle(new Request(`http://localhost${path}`, { method, headers }));

describe("cancel", () => {
  test("pending: leaves the queue at once; processing: canceled, its result discarded; finished: 409", async () => {
    const first = await idOf(await upload(svc.app, dog));
    const second = await idOf(await upload(svc.app, dog));
    const third = await idOf(await upload(svc.app, dog));
    await waitFor(async () => (await status(first)) === "processing", 10_000, "first running");
    expect((await getJson(svc.app, `/result/${third}`)).body.queue_position).toBe(2);

    const canceled = await send("POST", `/result/${second}/cancel`);
    expect(canceled.status).toBe(200);
    expect(((await canceled.json()) as any)).toMatchObject({ status: "canceled", cancel_reason: "client" });
    expect((await getJson(svc.app, `/result/${third}`)).body.queue_position).toBe(1);

    const running = await send("DELETE", `/result/${first}`);
    expect(running.status).toBe(200);
    expect(((await running.json()) as any).status).toBe("canceled");

    await pollUntilDone(svc.app, third);
    // the first task's worker finished meanwhile; its answer was discarded
    const after = (await getJson(svc.app, `/result/${first}`)).body;
    expect(after.status).toBe("canceled");
    expect(after.result).toBeUndefined();

    const again = await send("POST", `/result/${third}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).code).toBe("task_finished");
    expect((await send("DELETE", "/result/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const lines = svc.logs.filter((l) => l.task_id === second).map((l) => l.status);
    expect(lines).toEqual(["pending", "canceled"]);
  });
});
