import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { jpegWithOrientation } from "../support/exif-orientation";
import { buildMalformedCorpus, type MalformedCase } from "../support/malformed-corpus";
import { detect, getJson, upload } from "../support/http";
import { readImage } from "../support/paths";
import { bestIou, DOG_REFERENCE } from "../support/reference";
import { startTestService, type TestService } from "../support/test-service";

const CONCURRENCY = 8;
/** a task not finished by then is stranded */
const TASK_DEADLINE_MS = 60_000;
const REF = DOG_REFERENCE["yolov8n.onnx"];

let svc: TestService;
let dog: Uint8Array;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: "2", MAX_PIXELS: "40000000" });
  dog = await readImage("dog.jpg");
});
afterAll(() => svc.stop());

interface Outcome {
  name: string;
  /** HTTP status of the POST, or 0 when handling threw */
  status: number;
  /** "415 unsupported_media_type", "201 completed", "201 failed decode_failed", "5xx …", "crash", "stranded processing" */
  key: string;
  /** what is wrong with the answer itself, if anything (problem body, failed task without a code) */
  defect?: string;
  taskStatus?: string;
  taskCode?: string;
}

async function runCase(c: MalformedCase): Promise<Outcome> {
  let res: Response;
  try {
    res = await upload(svc.app, c.bytes, { filename: c.filename, type: c.type });
  } catch (e) {
    return { name: c.name, status: 0, key: "crash", defect: `upload threw: ${String(e).slice(0, 200)}` };
  }
  const contentType = res.headers.get("content-type") ?? "";
  const raw = await res.text();
  let body: any;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  if (res.status >= 500) return { name: c.name, status: res.status, key: `${res.status} ${body?.code ?? "(no code)"}`, defect: "5xx" };
  if (res.status !== 201) {
    const code = typeof body?.code === "string" && body.code ? body.code : undefined;
    const defect =
      res.status < 400 ? `unexpected status ${res.status}`
      : !contentType.includes("application/problem+json") ? `4xx with content-type ${contentType}`
      : !code ? `4xx problem without a code: ${raw.slice(0, 200)}`
      : undefined;
    return { name: c.name, status: res.status, key: `${res.status} ${code ?? "(no code)"}`, defect };
  }
  const id = body?.task_id;
  if (typeof id !== "string") return { name: c.name, status: 201, key: "201 (no task id)", defect: `201 without task_id: ${raw.slice(0, 200)}` };
  const deadline = Date.now() + TASK_DEADLINE_MS;
  for (;;) {
    const { res: r, body: task } = await getJson(svc.app, `/result/${id}`);
    if (r.status !== 200) return { name: c.name, status: 201, key: `201 then GET ${r.status}`, defect: `GET /result answered ${r.status}` };
    if (task.status === "completed") return { name: c.name, status: 201, key: "201 completed", taskStatus: "completed" };
    if (task.status === "failed") {
      const code = task.error?.code;
      const ok = typeof code === "string" && code.length > 0;
      return { name: c.name, status: 201, key: `201 failed ${ok ? code : "(no code)"}`, taskStatus: "failed", taskCode: code, defect: ok ? undefined : "failed task without error.code" };
    }
    if (Date.now() > deadline) return { name: c.name, status: 201, key: `stranded ${task.status}`, taskStatus: task.status, defect: `still ${task.status} after ${TASK_DEADLINE_MS} ms` };
    await Bun.sleep(25);
  }
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function printSummary(outcomes: Outcome[], ms: number) {
  const byKey = new Map<string, number>();
  for (const o of outcomes) byKey.set(o.key, (byKey.get(o.key) ?? 0) + 1);
  const rows = [...byKey].sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`malformed corpus: ${outcomes.length} cases in ${(ms / 1000).toFixed(1)} s`, ...rows.map(([k, n]) => `  ${k.padEnd(width)}  ${String(n).padStart(4)}`)];
  // and which families went where, so a change in behaviour is easy to place
  const fam = new Map<string, Map<string, number>>();
  for (const o of outcomes) {
    const f = o.name.split("/")[0];
    const m = fam.get(f) ?? new Map<string, number>();
    m.set(o.key, (m.get(o.key) ?? 0) + 1);
    fam.set(f, m);
  }
  lines.push("by family:");
  for (const [f, m] of fam) lines.push(`  ${f.padEnd(18)} ${[...m].map(([k, n]) => `${k}: ${n}`).join(", ")}`);
  // CORPUS_DUMP=1 lists every case and its outcome.
  if (process.env.CORPUS_DUMP) lines.push("every case:", ...outcomes.map((o) => `  ${o.name.padEnd(60)} ${o.key}`));
  const defects = outcomes.filter((o) => o.defect);
  if (defects.length) lines.push("DEFECTS:", ...defects.map((o) => `  ${o.name}: ${o.key} — ${o.defect}`));
  console.log(lines.join("\n"));
}

describe("a generated corpus of malformed and unusual uploads", () => {
  let corpus: MalformedCase[] = [];
  let outcomes: Outcome[] = [];
  const named = (pred: (o: Outcome) => boolean) => outcomes.filter(pred).map((o) => `${o.name} → ${o.key}${o.defect ? ` (${o.defect})` : ""}`);

  test("every upload is answered: 201 or 4xx, and every task finishes", async () => {
    corpus = await buildMalformedCorpus();
    const started = Date.now();
    outcomes = await mapBounded(corpus, CONCURRENCY, runCase);
    printSummary(outcomes, Date.now() - started);
    expect(outcomes).toHaveLength(corpus.length);
  }, 150_000);

  test("has at least 300 cases, with unique names, built the same way every time", async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
    const again = await buildMalformedCorpus();
    expect(again.map((c) => c.name)).toEqual(corpus.map((c) => c.name));
    expect(again.every((c, i) => Buffer.from(c.bytes).equals(Buffer.from(corpus[i].bytes)))).toBe(true);
  });

  test("no 5xx and no crash", () => {
    expect(named((o) => o.status === 0 || o.status >= 500)).toEqual([]);
  });

  test("every refusal is application/problem+json with a code", () => {
    expect(named((o) => o.status >= 400 && o.status < 500 && o.defect !== undefined)).toEqual([]);
  });

  test("no task is stranded pending or processing, and every failed task has an error code", () => {
    expect(named((o) => o.key.startsWith("stranded"))).toEqual([]);
    expect(named((o) => o.taskStatus === "failed" && !o.taskCode)).toEqual([]);
    expect(named((o) => o.defect !== undefined)).toEqual([]);
  });

  test("no upload crashed or timed out a worker", async () => {
    expect(named((o) => o.taskCode === "worker_crashed" || o.taskCode === "timeout")).toEqual([]);
    const { body } = await getJson(svc.app, "/health");
    expect(body.workers.map((w: any) => w.restarts)).toEqual(body.workers.map(() => 0));
  });

  test("valid but unusual images, spoofed types and EXIF orientations 1..8 complete", () => {
    const mustComplete = (o: Outcome) => /^(valid|spoofed)\//.test(o.name) || /^exif\/orientation-[1-8](-|$)/.test(o.name);
    expect(outcomes.filter(mustComplete).length).toBeGreaterThan(30);
    expect(named((o) => mustComplete(o) && o.key !== "201 completed")).toEqual([]);
  });

  test("non-images are refused by their bytes, whatever their name and Content-Type", () => {
    expect(outcomes.filter((o) => o.name.startsWith("not-image/")).length).toBeGreaterThanOrEqual(21);
    expect(named((o) => o.name.startsWith("not-image/") && o.key !== "415 unsupported_media_type")).toEqual([]);
  });

  test("headers declaring more than MAX_PIXELS are refused before decoding", () => {
    const bombs = ["huge/png-declaring-100000x100000", "huge/png-declaring-65535x65535", "huge/jpeg-sof-declaring-65500x65500", "huge/progressive-jpeg-sof2-declaring-65500x65500"];
    for (const name of bombs) expect([name, outcomes.find((o) => o.name === name)?.key]).toEqual([name, "422 too_many_pixels"]);
  });

  test("afterwards the service answers ready and still detects dog.jpg", async () => {
    const ready = await getJson(svc.app, "/health/ready");
    expect([ready.res.status, ready.body.status]).toEqual([200, "ready"]);
    const health = await getJson(svc.app, "/health");
    expect(health.res.status).toBe(200);
    expect(health.body.queue_depth).toBe(0);

    const task = await detect(svc.app, dog);
    expect(task.status).toBe("completed");
    expect(task.result.detections.map((d: any) => d.class).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
    for (const [cls, ref] of Object.entries(REF)) expect(bestIou(task.result.detections, cls, ref)).toBeGreaterThan(0.9);
  });
});

describe("every EXIF orientation gives boxes on the upright image", () => {
  const oriented = new Map<number, Uint8Array>();

  test("the test images are right: a viewer applying the orientation sees dog.jpg upright", async () => {
    const ref = await sharp(dog).raw().toBuffer({ resolveWithObject: true });
    for (let n = 1; n <= 8; n++) {
      const bytes = await jpegWithOrientation(dog, n);
      oriented.set(n, bytes);
      const meta = await sharp(bytes).metadata();
      expect([n, meta.orientation, meta.width, meta.height]).toEqual([n, n, n >= 5 ? 576 : 768, n >= 5 ? 768 : 576]);
      const up = await sharp(bytes).autoOrient().raw().toBuffer({ resolveWithObject: true });
      expect([up.info.width, up.info.height, up.info.channels]).toEqual([768, 576, 3]);
      let diff = 0;
      for (let i = 0; i < up.data.length; i++) diff += Math.abs(up.data[i] - ref.data[i]);
      expect([n, diff / up.data.length < 3]).toEqual([n, true]);
    }
  });

  for (let n = 1; n <= 8; n++) {
    test(`orientation ${n}: 768×576 with dog, bicycle and car where they are in dog.jpg`, async () => {
      const bytes = oriented.get(n) ?? (await jpegWithOrientation(dog, n));
      const task = await detect(svc.app, bytes, { filename: `dog-orientation-${n}.jpg` });
      expect(task.status).toBe("completed");
      expect(task.result.image).toEqual({ width: 768, height: 576 });
      for (const [cls, ref] of Object.entries(REF)) {
        expect([n, cls, bestIou(task.result.detections, cls, ref) > 0.85]).toEqual([n, cls, true]);
      }
    });
  }
});
