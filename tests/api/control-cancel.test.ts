import { describe, expect, test } from "bun:test";
import { controlService } from "../support/control-service";
import { getJson, pollUntilDone, sendTo, taskIdOf as idOf, upload } from "../support/http";
import { statusOf, type TestService, waitFor } from "../support/test-service";

let svc: TestService;
let dog: Uint8Array;
controlService((s, d) => ((svc = s), (dog = d)));

const status = (id: string) => statusOf(svc, id);
const send = (method: string, path: string, headers: Record<string, string> = {}) => sendTo(svc.app, method, path, headers);

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
