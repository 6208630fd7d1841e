import type { RequestRecord } from "../src/bench-kit/report";
import type { BenchImage } from "./images";
import { uploadForm } from "./upload-form";
import { isTerminal, type TaskStatus } from "../src/domain/task";

export interface LoadOptions {
  url: string;
  images: readonly BenchImage[];
  requests: number;
  concurrency: number;
  pollMs: number;
  /** how a client learns its task finished: Server-Sent Events (default) or polling */
  follow?: "events" | "polling";
  /** form fields sent with every upload (detection knobs) */
  fields?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

type Finished = { status: string; result?: { timings: Record<string, number> } };

async function followPolling(url: string, id: string, pollMs: number): Promise<Finished> {
  for (;;) {
    await Bun.sleep(pollMs);
    const task = (await (await fetch(`${url}/result/${id}`)).json()) as Finished;
    if (isTerminal(task.status as TaskStatus)) return task;
  }
}

/** Reads the task's event stream to its terminal event. */
async function followEvents(url: string, id: string): Promise<Finished> {
  const res = await fetch(`${url}/result/${id}/events`);
  const text = await res.text(); // the stream ends after the terminal event
  const blocks = text.trim().split("\n\n");
  const data = blocks.at(-1)?.split("\n").find((l) => l.startsWith("data: "));
  if (!data) throw new Error(`no terminal event for ${id}`);
  return JSON.parse(data.slice(6)) as Finished;
}


/**
 * `concurrency` clients share `requests` uploads; each client uploads, then
 * polls its task to a terminal state before taking the next one, as the
 * original Python stress script did.
 */
export async function runLoad(opts: LoadOptions): Promise<{ records: RequestRecord[]; seconds: number }> {
  const records: RequestRecord[] = [];
  let next = 0;
  const t0 = performance.now();
  const client = async () => {
    for (let i = next++; i < opts.requests; i = next++) {
      const image = opts.images[i % opts.images.length];
      const form = uploadForm(image.bytes, `${image.name}.jpg`, { ...opts.fields, ...image.fields });
      const start = performance.now();
      const res = await fetch(`${opts.url}/predict`, { method: "POST", body: form });
      const postMs = performance.now() - start;
      const created = (await res.json()) as { task_id?: string };
      const record: RequestRecord = { image: image.name, httpCode: res.status, postMs };
      if (res.status === 201 && created.task_id) {
        const task = await (opts.follow === "polling" ? followPolling : followEvents)(opts.url, created.task_id, opts.pollMs);
        record.e2eMs = performance.now() - start;
        record.status = task.status;
        record.timings = task.result?.timings;
      }
      records.push(record);
      opts.onProgress?.(records.length, opts.requests);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  return { records, seconds: (performance.now() - t0) / 1000 };
}
