import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { readImage, scriptEntry } from "../support/paths";
import { finalTask, healthOf, submitTo } from "../support/remote-service";
import { waitFor } from "../support/wait";
import { killSpawned, type LoggedProcess, spawnLogged, spawned } from "../support/logged-process";

// The scale-out shape for real: 2 API processes (no inference) and 2
// inference processes (`bun run inference`) on one Redis, over HTTP.
const JOB_LOCK_MS = 3000;
// What `bun start` and `bun run inference` run, started directly: SIGKILL must reach the process itself.
const [API_ENTRY, INFERENCE_ENTRY] = await Promise.all([scriptEntry("start"), scriptEntry("inference")]);
const env = { QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix("procs"), LOG_LEVEL: "info", JOB_LOCK_MS: String(JOB_LOCK_MS) };

type Proc = LoggedProcess;
const spawn = (entry: string, extra: Record<string, string>): Proc => spawnLogged(entry, { ...env, ...extra });
const inferenceProcess = (extra: Record<string, string> = {}) => spawn(INFERENCE_ENTRY, { WORKERS: "1", ...extra });

let apis: string[];
let inference: Proc[];
let photo: Uint8Array;
let bigPng: Uint8Array;


beforeAll(async () => {
  inference = [inferenceProcess(), inferenceProcess()];
  const ports = [freePort(), freePort()];
  const api = ports.map((port) => spawn(API_ENTRY, { PORT: String(port), WORKERS: "0" }));
  apis = ports.map((port) => `http://127.0.0.1:${port}`);
  await Promise.all(apis.map((base, i) => waitUntilReady(`${base}/health/ready`, api[i].child, 60_000)));
  await waitFor(async () => (await healthOf(apis[0])).backend.inference_processes === 2, 30_000, "both inference processes");
  photo = await readImage("dog.jpg");
  // A 3200×2400 PNG (no shrink-on-load) keeps a worker busy long enough to be killed mid-job.
  bigPng = new Uint8Array(await sharp(photo).resize(3200, 2400).png({ compressionLevel: 1 }).toBuffer());
}, 90_000);

afterAll(killSpawned);

const processing = (p: Proc) => p.logs.filter((l) => l.msg === "task" && l.status === "processing").map((l) => l.task_id as string);
const inFlight = (p: Proc) => processing(p).filter((id) => !completed(p).includes(id));
const completed = (p: Proc) => p.logs.filter((l) => l.msg === "task" && l.status === "completed").map((l) => l.task_id as string);

test("uploads spread over both APIs all complete, on both inference processes; one killed mid-job loses nothing", async () => {
  const [victim, survivor] = inference;
  // Large images only, uploaded all at once, so both processes have a queue to work through.
  const uploads = Promise.all(Array.from({ length: 8 }, (_, i) => submitTo(apis[i % 2], bigPng, "big.png")));
  // Kill the victim while it holds a job: started and not yet finished.
  await waitFor(() => inFlight(victim).length > 0, 60_000, "the victim to be in the middle of a job");
  victim.child.kill("SIGKILL");
  await victim.child.exited;
  const killedMidJob = inFlight(victim);
  expect(killedMidJob.length).toBe(1);
  const ids = await uploads;

  // Every task finishes, whichever API is asked; the killed one after its lock lapsed.
  const finals = await Promise.all(ids.map((id, i) => finalTask(apis[(i + 1) % 2], id, 60_000)));
  expect(finals.map((f) => f.status)).toEqual(ids.map(() => "completed"));
  for (const f of finals) expect(f.result.detections.map((d: any) => d.class)).toContain("dog");
  expect(finals[0].result.image).toEqual({ width: 3200, height: 2400 });
  // the survivor took the job over, as a second attempt
  const takeover = survivor.logs.find((l) => l.task_id === killedMidJob[0] && l.status === "processing");
  expect(takeover).toMatchObject({ attempt: 2 });
  expect(completed(survivor)).toContain(killedMidJob[0]);
  // both processes did real work before the kill
  expect(processing(victim).length).toBeGreaterThan(0);
  expect(completed(survivor).length).toBeGreaterThan(0);
  await waitFor(async () => (await healthOf(apis[1])).backend.inference_processes === 1, 10_000, "the dead process to drop out of /health");
}, 120_000);

test("SIGTERM to an inference process mid-job: it finishes what it holds, exits 0, and every task completes", async () => {
  const fresh = inferenceProcess();
  await waitFor(async () => (await healthOf(apis[0])).backend.inference_processes === 2, 30_000, "the new inference process");
  const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => submitTo(apis[i % 2], i % 2 ? photo : bigPng, "img")));
  await waitFor(() => processing(fresh).some((id) => ids.includes(id)), 30_000, "the new process to take a job");
  fresh.child.kill("SIGTERM");
  expect(await fresh.child.exited).toBe(0);
  expect(fresh.logs.some((l) => l.msg === "stopped")).toBe(true);
  // what it had started, it finished before exiting
  for (const id of processing(fresh).filter((id) => ids.includes(id))) expect(completed(fresh)).toContain(id);
  const finals = await Promise.all(ids.map((id) => finalTask(apis[0], id, 60_000)));
  expect(finals.map((f) => f.status)).toEqual(ids.map(() => "completed"));
}, 120_000);

test("an inference process whose drain times out exits 0 within seconds; whatever it held completes, here or elsewhere", async () => {
  const hasty = inferenceProcess({ DRAIN_TIMEOUT_MS: "0" });
  await waitFor(async () => (await healthOf(apis[0])).backend.inference_processes === 2, 30_000, "the hasty process");
  const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => submitTo(apis[i % 2], bigPng, "big.png")));
  await waitFor(() => processing(hasty).some((id) => ids.includes(id)), 30_000, "the hasty process to take a job");
  const t0 = Date.now();
  hasty.child.kill("SIGTERM");
  expect(await hasty.child.exited).toBe(0);
  expect(Date.now() - t0).toBeLessThan(10_000);
  const abandoned = processing(hasty).filter((id) => ids.includes(id) && !completed(hasty).includes(id));
  const finals = await Promise.all(ids.map((id) => finalTask(apis[1], id, 60_000)));
  expect(finals.map((f) => f.status)).toEqual(ids.map(() => "completed"));
  // what it dropped, someone else finished
  for (const id of abandoned) expect(spawned.some((p) => p !== hasty && completed(p).includes(id))).toBe(true);
}, 120_000);
