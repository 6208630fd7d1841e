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
/** a loopback stand-in for an image host, for the example's URL argument */
let images: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  if (!aptInstall("python3-httpx", HTTPX, "README's Python example runs with it")) throw new Error(`${HTTPX} is missing: apt-get install python3-httpx`);
  const port = freePort();
  // IMAGE_URL_ALLOW_PRIVATE: the image host here is on loopback.
  service = Bun.spawn(["bun", await scriptEntry("start")], { env: { ...process.env, PORT: String(port), WORKERS: "1", IMAGE_URL_ALLOW_PRIVATE: "true" }, stdout: "ignore", stderr: "pipe" });
  const dog = Bun.file(join(IMAGES, "dog.jpg"));
  images = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(dog) });
  url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/health/ready`, service, 60_000);
}, 180_000);
afterAll(async () => {
  images?.stop(true);
  service?.kill("SIGTERM");
  await service?.exited;
});

test("README's Python (httpx) example uploads dog.jpg, follows the task and prints the dog, the bicycle, the car and the truck on it", async () => {
  const { code, out, err } = await runExample("--base", url, join(IMAGES, "dog.jpg"));
  expect(code, err).toBe(0);
  const lines = out.trim().split("\n");
  expect(lines.map((l) => l.split(/\s+/)[0]).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
  // class, confidence, then the box's corners in pixels of the photo
  expect(lines.find((l) => l.startsWith("dog"))).toMatch(/^dog\s+0\.\d\d {2}\(\d+(\.\d)?, \d+(\.\d)?\) – \(\d+(\.\d)?, \d+(\.\d)?\)$/);
});

test("the same example with a file and a URL in one JSON request, at imgsz 320: two tasks, the dog in each", async () => {
  const { code, out, err } = await runExample("--base", url, "--json", "--imgsz", "320", join(IMAGES, "dog.jpg"), `http://127.0.0.1:${images.port}/dog.jpg`);
  expect(code, err).toBe(0);
  const blocks = out.trim().split(/^== .*$/m).slice(1);
  expect(out.match(/^== .*$/gm)).toEqual([`== ${join(IMAGES, "dog.jpg")}`, `== http://127.0.0.1:${images.port}/dog.jpg`]);
  for (const block of blocks) expect(block.trim().split("\n").map((l) => l.split(/\s+/)[0])).toContain("dog");
});

/** README's example, as printed, with these arguments. */
async function runExample(...argv: string[]) {
  const child = Bun.spawn([PYTHON, "-", ...argv], { stdin: new Blob([await readmeExample()]), stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, out, err };
}
