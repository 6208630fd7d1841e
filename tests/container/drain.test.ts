import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort } from "../../src/util/free-port";
import { BUILD_TIMEOUT_MS, docker, inspect, logLines, projectImage, removeContainers, runContainer, waitForReady } from "../support/docker";
import { readImage } from "../support/paths";
import { submitTo } from "../support/remote-service";

/**
 * `docker stop` sends SIGTERM and kills 10 s later. The image drains within
 * that (DRAIN_TIMEOUT_MS=8000): what runs may finish, the rest is canceled
 * with reason `shutdown`, and the process exits 0 by itself.
 */
let image: string;
beforeAll(async () => {
  image = await projectImage();
}, BUILD_TIMEOUT_MS);
afterAll(removeContainers);

test("docker stop with a task processing and more queued: each completes or is canceled (shutdown); exit 0 within 10 s", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  // One worker and room for more tasks than it can run in 8 s (~100 ms each), so some must be canceled.
  const queue = { QUEUE_MAX: "200", CLIENT_QUEUE_MAX: "200" };
  const name = runContainer(image, "drain", { env: { PORT: String(port), WORKERS: "1", ...queue } });
  await waitForReady(`${url}/health/ready`, name, 10_000);

  const dog = await readImage("dog.jpg");
  const accepted: string[] = [];
  for (let i = 0; i < 150; i++) {
    accepted.push(await submitTo(url, dog, "dog.jpg"));
  }
  const first = (await (await fetch(`${url}/result/${accepted[0]}`)).json()) as any;
  expect(["processing", "completed"]).toContain(first.status);

  const t0 = performance.now();
  docker(["stop", name]); // SIGTERM, then SIGKILL after docker's default 10 s
  const stopMs = performance.now() - t0;
  console.error(`docker stop returned after ${stopMs.toFixed(0)} ms`);
  expect(inspect(name, "{{.State.ExitCode}}")).toBe("0");
  expect(inspect(name, "{{.State.OOMKilled}}")).toBe("false");
  expect(stopMs).toBeLessThan(10_000);

  // The transition lines are the record: each accepted task's last one is terminal.
  const last = new Map<string, any>();
  for (const line of logLines(name)) {
    const entry = JSON.parse(line);
    if (entry.msg === "task") last.set(entry.task_id, entry);
  }
  const ends = accepted.map((id) => last.get(id));
  const outcome = (e: any) => (e?.status === "canceled" ? `canceled:${e.reason}` : e?.status);
  const counts = ends.reduce((n: Record<string, number>, e) => ({ ...n, [outcome(e)]: (n[outcome(e)] ?? 0) + 1 }), {});
  console.error(`outcomes of ${accepted.length} tasks: ${JSON.stringify(counts)}`);
  expect(Object.keys(counts).sort()).toEqual(["canceled:shutdown", "completed"]);
});
