import { afterAll, beforeAll, expect, test } from "bun:test";
import { imageBytes } from "../../src/tools/container/shell";
import { freePort } from "../../src/util/free-port";
import { BUILD_TIMEOUT_MS, docker, expectDogClasses, inspect, logLines, nonJsonLines, projectImage, removeContainers, runContainer, waitForReady } from "../support/docker";
import { readImage } from "../support/paths";
import { uploadTo } from "../support/remote-service";

/**
 * The image as a Space runs it: the project's Dockerfile built unchanged on
 * the stand-in base, then started as `docker run` does, on a read-only root
 * filesystem.
 */
/** The image's budget: Debian + Bun is ~75 + ~95 MB; the service's packages and the model add the rest. */
const IMAGE_BUDGET_MB = 350;

let image: string;
beforeAll(async () => {
  image = await projectImage();
}, BUILD_TIMEOUT_MS);
afterAll(removeContainers);

test(`the image is under its budget of ${IMAGE_BUDGET_MB} MB`, () => {
  const mb = imageBytes(image) / 1e6;
  console.error(`image ${image}: ${mb.toFixed(0)} MB (budget ${IMAGE_BUDGET_MB} MB)`);
  expect(mb).toBeLessThan(IMAGE_BUDGET_MB);
});

test("read-only root: ready within 10 s, runs as uid 1000, detects dog.jpg, turns healthy, logs only JSON", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  // /tmp is the one place Bun and libvips may write; the HEALTHCHECK runs every second instead of every 30 s.
  const name = runContainer(image, "readonly", { env: { PORT: String(port) }, flags: ["--read-only", "--tmpfs", "/tmp", "--health-interval", "1s"] });
  await waitForReady(`${url}/health/ready`, name, 10_000);
  const readyMs = performance.now() - t0;
  console.error(`ready ${readyMs.toFixed(0)} ms after docker run`);
  expect(readyMs).toBeLessThanOrEqual(10_000);

  // The service's own process (pid 1 in the container), not just what `docker exec` would run as.
  const status = docker(["exec", name, "cat", "/proc/1/status"]);
  expect(status.match(/^Uid:\s+(\d+)/m)?.[1]).toBe("1000");
  expect(status.match(/^Gid:\s+(\d+)/m)?.[1]).toBe("1000");
  expect(inspect(name, "{{.HostConfig.ReadonlyRootfs}}")).toBe("true");

  const res = await uploadTo(url, await readImage("dog.jpg"), "dog.jpg", { prefer: "wait=30" });
  expect(res.status).toBe(200);
  const task = (await res.json()) as any;
  expectDogClasses(task);
  const jpeg = await fetch(`${url}${task.links.image}`);
  expect([jpeg.status, jpeg.headers.get("content-type")]).toEqual([200, "image/jpeg"]);

  let health = "";
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && health !== "healthy"; await Bun.sleep(250)) {
    health = inspect(name, "{{.State.Health.Status}}");
  }
  expect(health).toBe("healthy");

  const lines = logLines(name);
  expect(lines.some((l) => l.includes('"status":"completed"'))).toBe(true);
  expect(nonJsonLines(lines)).toEqual([]);
});
