import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { freePort } from "../../src/util/free-port";
import { BUILD_TIMEOUT_MS, inspect, logLines, nonJsonLines, sampleMemory, projectImage, removeContainers, runContainer, waitForReady } from "../support/docker";
import { finalTask, uploadTo } from "../support/remote-service";

/**
 * A small box and a burst of big photos: 50 clients at once each send a 12 MP
 * JPEG to a container limited to 1 GiB (no swap). The service must refuse
 * what it cannot hold (429) rather than be killed by the kernel.
 */
let image: string;
beforeAll(async () => {
  image = await projectImage();
}, BUILD_TIMEOUT_MS);
afterAll(removeContainers);

/** Noise compresses badly: a 4000×3000 JPEG of several MB, as a phone's photo is. */
async function bigPhoto(): Promise<Uint8Array> {
  const raw = new Uint8Array(4000 * 3000 * 3);
  for (let i = 0; i < raw.length; i += 4096) crypto.getRandomValues(raw.subarray(i, Math.min(raw.length, i + 4096)));
  return new Uint8Array(await sharp(raw, { raw: { width: 4000, height: 3000, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
}

test("--memory 1g: a burst of 50 uploads of 12 MP photos gets 201s and 429s, no OOM kill, and every accepted task ends", async () => {
  const photo = await bigPhoto();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const name = runContainer(image, "memory", { env: { PORT: String(port) }, flags: ["--memory", "1g", "--memory-swap", "1g"] });
  await waitForReady(`${url}/health/ready`, name, 10_000);
  const memory = sampleMemory(name);

  const send = async () => {
    const res = await uploadTo(url, photo, "big.jpg");
    return { status: res.status, body: (await res.json()) as any };
  };
  const answers = await Promise.all(Array.from({ length: 50 }, send));
  const codes = answers.reduce((n: Record<number, number>, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});
  console.error(`${(photo.length / 1e6).toFixed(1)} MB photo × 50: ${JSON.stringify(codes)}; refusals: ${[...new Set(answers.filter((a) => a.status === 429).map((a) => a.body.code))].join(", ")}`);
  expect(Object.keys(codes).sort()).toEqual(["201", "429"]);

  const accepted = answers.filter((a) => a.status === 201).map((a) => a.body.task_id as string);
  const ends = await Promise.all(accepted.map((id) => finalTask(url, id, 120_000)));
  expect(ends.every((t) => t.status === "completed")).toBe(true);
  expect(inspect(name, "{{.State.OOMKilled}}")).toBe("false");
  expect(inspect(name, "{{.State.Running}}")).toBe("true");
  expect(inspect(name, "{{.RestartCount}}")).toBe("0");
  const peak = memory.stop();
  console.error(`highest memory use seen: ${peak === undefined ? "not shown by this host" : `${(peak / 2 ** 20).toFixed(0)} MiB of 1024`}`);
  expect(nonJsonLines(logLines(name))).toEqual([]);
});
