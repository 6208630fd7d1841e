import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, waitUntilReady } from "../../src/util/free-port";
import { testRedisUrl, uniquePrefix } from "../support/backend";
import { readImage, scriptEntry } from "../support/paths";
import { BOTH_MODELS, MODEL_FILES, V8, V11 } from "../support/shared-models";
import { finalTask, healthOf, uploadTo } from "../support/remote-service";
import { waitFor } from "../support/wait";
import { killSpawned, type LoggedProcess, spawnLogged } from "../support/logged-process";

// Models on Redis: an API replica (no inference) that names two models, and inference processes
// that each hold one. A task runs only where its model is; a model no process holds is refused.
const PATHS = MODEL_FILES;
const [API_ENTRY, INFERENCE_ENTRY] = await Promise.all([scriptEntry("start"), scriptEntry("inference")]);
const env = { QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix("models"), LOG_LEVEL: "info" };

type Proc = LoggedProcess;
const spawn = (entry: string, extra: Record<string, string>): Proc => spawnLogged(entry, { ...env, ...extra });
const holding = (model: keyof typeof PATHS) => spawn(INFERENCE_ENTRY, { WORKERS: "1", MODELS: `${model}=${PATHS[model]}` });
const ranHere = (p: Proc, id: string) => p.logs.some((l) => l.msg === "task" && l.status === "processing" && l.task_id === id);

let api: string;
let dog: Uint8Array;
let only11: Proc;

beforeAll(async () => {
  only11 = holding(V11);
  const port = freePort();
  const apiProc = spawn(API_ENTRY, { PORT: String(port), WORKERS: "0", MODELS: BOTH_MODELS });
  api = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${api}/health/ready`, apiProc.child, 60_000);
  dog = await readImage("dog.jpg");
}, 90_000);

afterAll(killSpawned);

const models = async () => ((await (await fetch(`${api}/models`)).json()) as any).models.map((m: any) => [m.name, m.default, m.loaded]);

test("a model no live process holds is listed as not loaded, and an upload for it gets 503 model_unavailable", async () => {
  expect(await models()).toEqual([[V8, true, false], [V11, false, true]]);
  const res = await uploadTo(api, dog, "dog.jpg");
  const body = (await res.json()) as any;
  expect([res.status, body.code]).toEqual([503, "model_unavailable"]);
  expect(body.detail).toContain(`"${V8}"`);
  expect(res.headers.get("retry-after")).not.toBeNull();
  const metrics = await (await fetch(`${api}/metrics`)).text();
  expect(metrics).toContain(`yolo_model_loaded{model="${V11}"} 1`);
});

test("each task runs on a process that holds its model, whichever process takes jobs first", async () => {
  const only8 = holding(V8);
  await waitFor(async () => (await models()).every(([, , loaded]: any[]) => loaded), 60_000, "both models loaded");
  const health = await healthOf(api);
  expect(health.models).toEqual([{ name: V8, default: true, loaded: true }, { name: V11, default: false, loaded: true }]);
  // Uploads of both models at once, in alternation: each process must leave the other model's tasks alone.
  const sent = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const form = new FormData();
      form.append("file", new File([dog as Uint8Array<ArrayBuffer>], "dog.jpg"));
      form.append("annotate", "false");
      if (i % 2) form.append("model", V11);
      const res = await fetch(`${api}/predict`, { method: "POST", body: form });
      expect(res.status).toBe(201);
      return { id: ((await res.json()) as any).task_id as string, model: i % 2 ? V11 : V8 };
    }),
  );
  const finals = await Promise.all(sent.map(({ id }) => finalTask(api, id, 60_000)));
  expect(finals.map((t) => [t.status, t.model, t.result?.model])).toEqual(sent.map(({ model }) => ["completed", model, model]));
  for (const { id, model } of sent) {
    const [holder, other] = model === V8 ? [only8, only11] : [only11, only8];
    expect([id, ranHere(holder, id), ranHere(other, id)]).toEqual([id, true, false]);
  }
}, 120_000);
