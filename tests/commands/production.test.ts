import { afterAll, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { readImage, REPO, SHARED } from "../support/paths";
import { uploadTo } from "../support/remote-service";

/**
 * The container's path without a Docker engine: a clean copy of the
 * repository (what git tracks or would track), `bun run install:prod`,
 * `bun run model:fetch` from the local mirror, then `bun run start:prod`
 * (the image's CMD): ready, one detection, SIGTERM, exit 0.
 */
const base = mkdtempSync(join(tmpdir(), "prod-"));
const copy = join(base, "repo");
afterAll(() => rmSync(base, { recursive: true, force: true }));

function run(cmd: string[], cwd: string) {
  const out = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, NODE_ENV: "production" } });
  const text = `${out.stdout.toString()}${out.stderr.toString()}`;
  if (out.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${out.exitCode}:\n${text}`);
  return text;
}

/** dog.jpg through a running service with Prefer: wait: 200 and the reference classes; the task for more checks. */
async function detectDog(url: string): Promise<any> {
  const res = await uploadTo(url, await readImage("dog.jpg"), "dog.jpg", { prefer: "wait=30" });
  expect(res.status).toBe(200);
  const task = (await res.json()) as any;
  expect(task.result.detections.map((d: any) => d.class).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
  return task;
}

test("install:prod, model:fetch and start:prod from a clean copy: ready, one detection, SIGTERM exits 0", async () => {
  const files = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], REPO).trim().split("\n");
  for (const f of files) {
    if (!existsSync(join(REPO, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(REPO, f), join(copy, f));
  }
  symlinkSync(SHARED, join(base, "shared")); // the local mirror, beside the copy as in CI
  expect(existsSync(join(copy, "node_modules"))).toBe(false);
  expect(existsSync(join(copy, "models", "yolov8n.onnx"))).toBe(false);

  expect(run(["bun", "run", "install:prod"], copy)).toContain("pruned onnxruntime-node");
  const platforms = readdirSync(join(copy, "node_modules/onnxruntime-node/bin/napi-v6"));
  expect(platforms).toEqual([process.platform]);
  expect(existsSync(join(copy, "node_modules/typescript"))).toBe(false); // no dev or optional-peer packages

  expect(run(["bun", "run", "model:fetch"], copy)).toContain("model: copied");
  expect(existsSync(join(copy, "models", "yolov8n.onnx"))).toBe(true);

  const port = freePort();
  const child = Bun.spawn(["bun", "run", "start:prod"], { cwd: copy, env: { ...process.env, PORT: String(port), WORKERS: "1" }, stdout: "pipe", stderr: "pipe" });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}/health/ready`, child, 30_000);
    const task = await detectDog(url);
    expect(task.result.annotated_image).toStartWith("data:image/jpeg;base64,"); // the pruned font still draws labels
    expect((await fetch(`${url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200); // the pruned docs assets still serve
  } finally {
    child.kill("SIGTERM");
  }
  expect(await child.exited).toBe(0);
  const log = await new Response(child.stdout).text();
  expect(log).toContain('"msg":"stopped"'); // drained, not killed
}, 180_000);

test("the same production install scales out: start:prod with WORKERS=0 on Redis plus inference:prod, one detection, both exit 0 on SIGTERM", async () => {
  expect(existsSync(join(copy, "node_modules/bullmq"))).toBe(true);
  const env = { ...process.env, QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix("prod") };
  const port = freePort();
  const worker = Bun.spawn(["bun", "run", "inference:prod"], { cwd: copy, env: { ...env, WORKERS: "1" }, stdout: "pipe", stderr: "pipe" });
  const api = Bun.spawn(["bun", "run", "start:prod"], { cwd: copy, env: { ...env, PORT: String(port), WORKERS: "0" }, stdout: "pipe", stderr: "pipe" });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}/health/ready`, api, 30_000);
    await detectDog(url);
  } finally {
    api.kill("SIGTERM");
    worker.kill("SIGTERM");
  }
  expect([await api.exited, await worker.exited]).toEqual([0, 0]);
  expect(await new Response(worker.stdout).text()).toContain('"msg":"stopped"');
}, 120_000);
