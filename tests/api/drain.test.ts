import { expect, test } from "bun:test";
import { FakeClock } from "../support/fake-clock";
import { getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { onRedis } from "../support/backend";
import { startTestService, statusOf, taskOf, waitFor } from "../support/test-service";

// On Redis the tasks belong to the cluster: a replica's drain cancels nothing
// (tests/cluster/replicas.test.ts and multi-process.test.ts cover it there).
test.skipIf(onRedis)("drain: refuses new work, lets tasks finish until DRAIN_TIMEOUT_MS, cancels the rest with reason shutdown", async () => {
  const clock = new FakeClock();
  const svc = await startTestService({ WORKERS: "1", DRAIN_TIMEOUT_MS: "5000" }, { clock });
  const dog = await readImage("dog.jpg");
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(((await (await upload(svc.app, dog)).json()) as any).task_id);

  const drained = svc.service.drain();
  const ready = await getJson(svc.app, "/health/ready");
  expect([ready.res.status, ready.body.reason]).toEqual([503, "draining: the service is shutting down"]);
  const refused = await upload(svc.app, dog);
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as any).code).toBe("draining");

  // Work goes on while draining...
  await waitFor(async () => (await Promise.all(ids.map((id) => statusOf(svc, id)))).includes("completed"), 30_000, "a task to finish while draining");
  // ...until the drain timeout, on the service's clock.
  clock.advance(5000);
  const { canceled } = await drained;

  const final = (await Promise.all(ids.map((id) => taskOf(svc, id)))).map((t) => t!);
  expect(final.every((t) => t.status === "completed" || t.status === "canceled")).toBe(true);
  expect(canceled).toBe(final.filter((t) => t.status === "canceled").length);
  expect(canceled).toBeGreaterThan(0);
  for (const t of final.filter((t) => t.status === "canceled")) expect(t.cancelReason).toBe("shutdown");
  const view = await getJson(svc.app, `/result/${final.find((t) => t.status === "canceled")!.id}`);
  expect(view.body).toMatchObject({ status: "canceled", cancel_reason: "shutdown" });
});
