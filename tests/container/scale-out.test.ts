import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { ensureRedisImage } from "../../src/tools/container/redis-image";
import { freePort } from "../../src/util/free-port";
import { BUILD_TIMEOUT_MS, docker, expectDogClasses, inspect, logLines, nonJsonLines, projectImage, removeContainers, runContainer, waitForReady } from "../support/docker";
import { envOf, readCompose, tokens } from "../support/compose-file";
import { readImage } from "../support/paths";
import { finalTask, healthOf, submitTo } from "../support/remote-service";
import { waitFor } from "../support/wait";

/**
 * docs/compose.yaml's shape for real: Redis, 2 API containers and 1 inference
 * container, each run with its service's command and environment from that
 * file. Only what host networking changes is set here: each container's
 * PORT, Redis on a free loopback port, and REDIS_URL pointing at it. The
 * job lock is 5 s instead of the file's 30 s, so the takeover happens within
 * the test's time.
 */
const { compose } = await readCompose();
const { redis, api, inference } = compose.services;

let image: string;
let apis: string[] = [];
let inferenceName = "";
let apiNames: string[] = [];
beforeAll(async () => {
  image = await projectImage();
  const redisPort = freePort();
  const redisImage = ensureRedisImage();
  expect(redis.image).toBe(redisImage);
  const redisName = runContainer(redisImage, "redis", { command: [...tokens(redis.command!), "--port", String(redisPort), "--bind", "127.0.0.1"] });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  for (let i = 0; docker(["exec", redisName, "redis-cli", "-p", String(redisPort), "ping"]) !== "PONG" && i < 100; i++) await Bun.sleep(100);

  // An API replica is ready once an inference process is there to run its tasks.
  inferenceName = runContainer(image, "inference", {
    env: { ...envOf(inference), REDIS_URL: redisUrl, JOB_LOCK_MS: "5000" },
    command: tokens(inference.command!),
    flags: ["--no-healthcheck", "--restart", inference.restart ?? "no"],
  });
  const ports = [freePort(), freePort()];
  const names = (apiNames = ports.map((port, i) =>
    runContainer(image, `api${i}`, { env: { ...envOf(api), REDIS_URL: redisUrl, PORT: String(port) }, command: tokens(api.command!) }),
  ));
  apis = ports.map((port) => `http://127.0.0.1:${port}`);
  await Promise.all(apis.map((url, i) => waitForReady(`${url}/health/ready`, names[i], 60_000)));
}, BUILD_TIMEOUT_MS);
afterAll(removeContainers);

test("a task through each API; the inference container killed mid-job: the job is taken over and completes", async () => {
  expect((await healthOf(apis[0])).backend.inference_processes).toBe(1);
  // A task through each API, read back through the other.
  const dog = await readImage("dog.jpg");
  const first = await Promise.all(apis.map((url, i) => submitTo(url, dog, "dog.jpg").then((id) => finalTask(apis[1 - i], id, 60_000))));
  for (const task of first) expectDogClasses(task);

  // Large PNGs (no shrink-on-load) keep the workers busy long enough to be killed mid-job.
  const big = new Uint8Array(await sharp(dog).resize(3200, 2400).png({ compressionLevel: 1 }).toBuffer());
  const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => submitTo(apis[i % 2], big, "big.png")));
  const started = () => logLines(inferenceName).map((l) => JSON.parse(l)).filter((l) => l.msg === "task" && l.status === "processing");
  await waitFor(() => started().length > 0, 60_000, "a job to start");
  // A crash, not a stop: SIGKILL to the container's process from the host. Its restart policy brings it back.
  const pid = inspect(inferenceName, "{{.State.Pid}}");
  process.kill(Number(pid), "SIGKILL");

  const finals = await Promise.all(ids.map((id, i) => finalTask(apis[(i + 1) % 2], id, 120_000)));
  expect(finals.map((f) => f.status)).toEqual(ids.map(() => "completed"));
  expect(Number(inspect(inferenceName, "{{.RestartCount}}"))).toBeGreaterThanOrEqual(1);
  const takenOver = logLines(inferenceName).map((l) => JSON.parse(l)).filter((l) => l.msg === "task" && l.attempt >= 2);
  console.error(`taken over after the kill: ${takenOver.length} job(s)`);
  expect(takenOver.length).toBeGreaterThanOrEqual(1);
  for (const name of [...apiNames, inferenceName]) expect([name, nonJsonLines(logLines(name))]).toEqual([name, []]);
});
