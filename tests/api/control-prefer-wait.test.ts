import { describe, expect, test } from "bun:test";
import { controlService } from "../support/control-service";
import { pollUntilDone, taskIdOf as idOf, upload } from "../support/http";
import type { TestService } from "../support/test-service";

let svc: TestService;
let dog: Uint8Array;
controlService((s, d) => ((svc = s), (dog = d)));

const settle = async (ids: string[]) => {
  for (const id of ids) await pollUntilDone(svc.app, id);
};

describe("Prefer: wait", () => {
  test("answers 200 with the finished task when it finishes in time", async () => {
    const res = await upload(svc.app, dog, { headers: { prefer: "wait=30" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("preference-applied")).toBe("wait=30");
    const body = (await res.json()) as any;
    expect(body.status).toBe("completed");
    expect(body.result.detections.length).toBe(4); // dog, bicycle, car and the truck on the car (Ultralytics' answer too)
  });

  test("answers the usual 201 when it does not finish in time", async () => {
    // Two ahead of it (one running, one waiting): a lone client's share of the short queue leaves room for it.
    const queued = await Promise.all([1, 2].map(() => upload(svc.app, dog)));
    const res = await upload(svc.app, dog, { headers: { prefer: "respond-async, wait=0" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("preference-applied")).toBe("wait=0");
    expect(((await res.json()) as any).status).toBe("pending");
    await settle([...(await Promise.all(queued.map(idOf)))]);
  });
});
