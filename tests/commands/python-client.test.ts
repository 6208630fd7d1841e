import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { aptInstall } from "../../src/tools/apt-install";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { IMAGES, REPO, scriptEntry } from "../support/paths";

/**
 * README's Python example, run as printed: Debian's python3 with its
 * python3-httpx package (installed when missing, as the browser tests'
 * Chromium is), against `bun start` on a free port.
 */
const PYTHON = "/usr/bin/python3";
const HTTPX = "/usr/lib/python3/dist-packages/httpx/__init__.py";

/** The fenced block after README's `<!-- python-example -->` marker. */
async function readmeExample(): Promise<string> {
  const readme = await Bun.file(join(REPO, "README.md")).text();
  const block = readme.split("<!-- python-example -->")[1]?.match(/```python\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error("README.md has no ```python block after <!-- python-example -->");
  return block;
}

let service: ReturnType<typeof Bun.spawn>;
let url = "";
beforeAll(async () => {
  if (!aptInstall("python3-httpx", HTTPX, "README's Python example runs with it")) throw new Error(`${HTTPX} is missing: apt-get install python3-httpx`);
  const port = freePort();
  service = Bun.spawn(["bun", await scriptEntry("start")], { env: { ...process.env, PORT: String(port), WORKERS: "1" }, stdout: "ignore", stderr: "pipe" });
  url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/health/ready`, service, 60_000);
}, 180_000);
afterAll(async () => {
  service?.kill("SIGTERM");
  await service?.exited;
});

test("README's Python (httpx) example uploads dog.jpg, follows the task and prints the dog, the bicycle, the car and the truck on it", async () => {
  const child = Bun.spawn([PYTHON, "-", join(IMAGES, "dog.jpg"), url], { stdin: new Blob([await readmeExample()]), stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect(code, err).toBe(0);
  const lines = out.trim().split("\n");
  expect(lines.map((l) => l.split(/\s+/)[0]).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
  // class, confidence, then the box's corners in pixels of the photo
  expect(lines.find((l) => l.startsWith("dog"))).toMatch(/^dog\s+0\.\d\d {2}\(\d+(\.\d)?, \d+(\.\d)?\) – \(\d+(\.\d)?, \d+(\.\d)?\)$/);
});
