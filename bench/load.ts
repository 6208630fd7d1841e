import type { BenchImage } from "./images";

export interface RequestRecord {
  image: string;
  httpCode: number;
  postMs: number;
  /** upload to terminal state, when accepted */
  e2eMs?: number;
  status?: string;
  timings?: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  images: readonly BenchImage[];
  requests: number;
  concurrency: number;
  pollMs: number;
  onProgress?: (done: number, total: number) => void;
}

const TERMINAL = new Set(["completed", "failed", "canceled"]);

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
      const form = new FormData();
      form.append("file", new File([image.bytes as Uint8Array<ArrayBuffer>], `${image.name}.jpg`, { type: "image/jpeg" }));
      const start = performance.now();
      const res = await fetch(`${opts.url}/predict`, { method: "POST", body: form });
      const postMs = performance.now() - start;
      const created = (await res.json()) as { task_id?: string };
      const record: RequestRecord = { image: image.name, httpCode: res.status, postMs };
      if (res.status === 201 && created.task_id) {
        for (;;) {
          await Bun.sleep(opts.pollMs);
          const task = (await (await fetch(`${opts.url}/result/${created.task_id}`)).json()) as any;
          if (TERMINAL.has(task.status)) {
            record.e2eMs = performance.now() - start;
            record.status = task.status;
            record.timings = task.result?.timings;
            break;
          }
        }
      }
      records.push(record);
      opts.onProgress?.(records.length, opts.requests);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  return { records, seconds: (performance.now() - t0) / 1000 };
}
