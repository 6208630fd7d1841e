import { afterAll, beforeAll, expect, test } from "bun:test";
import { pollUntilDone, upload } from "../support/http";
import { readImage } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;

beforeAll(async () => {
  // One client sends all 50 (in-process requests have no address): its own cap must not refuse them.
  svc = await startTestService({ CLIENT_QUEUE_MAX: "1000" });
});
afterAll(() => svc.stop());

test("50 concurrent uploads of mixed photos are all accepted at once and all complete", async () => {
  const names = ["dog.jpg", "horses.jpg", "person.jpg", "eagle.jpg", "giraffe.jpg", "kite.jpg", "scream.jpg"];
  const photos = await Promise.all(names.map(readImage));
  const uploads = await Promise.all(Array.from({ length: 50 }, (_, i) => upload(svc.app, photos[i % photos.length])));
  expect(uploads.map((r) => r.status)).toEqual(Array(50).fill(201));
  const created = (await Promise.all(uploads.map((r) => r.json()))) as any[];
  expect(new Set(created.map((c) => c.task_id)).size).toBe(50);
  // Ingestion does not wait on inference: most of the 50 are still queued after every POST answered.
  const positions = created.map((c) => c.queue_position).filter((p) => p > 0);
  expect(Math.max(...positions)).toBeGreaterThan(25);

  const done = await Promise.all(created.map((c) => pollUntilDone(svc.app, c.task_id, 120_000)));
  expect(done.map((d) => d.status)).toEqual(Array(50).fill("completed"));
  // Each photo gives the same classes every time it is processed, whichever worker ran it.
  const classesOf = (d: any) => d.result.detections.map((x: any) => x.class).sort().join(",");
  for (let i = photos.length; i < 50; i++) expect(classesOf(done[i])).toBe(classesOf(done[i % photos.length]));
  expect(classesOf(done[0])).toBe("bicycle,car,dog,truck");
  expect((await svc.service.backend.health()).queueDepth).toBe(0);
  // Bounded by the polls' own 120 s, not by how fast this machine runs 50 images today.
}, 180_000);
