import type { BenchImage } from "./images";
import { round } from "../src/bench-kit/stats";
import { uploadForm } from "./upload-form";
import { isTerminal, type TaskStatus } from "../src/domain/task";

export interface OverloadOptions {
  url: string;
  images: readonly BenchImage[];
  /** uploads per second offered, whatever the service answers */
  rate: number;
  seconds: number;
  rssMb: () => number;
  onProgress?: (fraction: number, detail: string) => void;
}

export interface OverloadReport {
  offered_rate: number;
  seconds: number;
  offered: number;
  accepted: number;
  rejected_429: number;
  other_codes: Record<string, number>;
  /** accepted tasks whose stream ended in completed / failed / canceled */
  terminal: Record<string, number>;
  /** accepted but never seen to finish: must be 0 */
  lost: number;
  completed_per_second: number;
  rss_mb: { start: number; peak: number; end_of_load: number };
}


/** Follows one task's event stream to its end; the last status seen. */
async function finalStatus(url: string, id: string): Promise<string | undefined> {
  try {
    const text = await (await fetch(`${url}/result/${id}/events`)).text();
    const statuses = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    return statuses.at(-1);
  } catch {
    return undefined;
  }
}

/**
 * Open-loop load: uploads go out at `rate` per second for `seconds`, each
 * followed to its end on its own, so a slow service meets more and more
 * load instead of slowing the clients down.
 */
export async function runOverload(opts: OverloadOptions): Promise<OverloadReport> {
  const start = performance.now();
  const rss = { start: opts.rssMb(), peak: opts.rssMb() };
  const sampler = setInterval(() => {
    rss.peak = Math.max(rss.peak, opts.rssMb());
  }, 250);
  const codes: Record<string, number> = {};
  const finals: Promise<string | undefined>[] = [];
  let offered = 0;
  const intervalMs = 1000 / opts.rate;
  const uploads: Promise<void>[] = [];
  while (performance.now() - start < opts.seconds * 1000) {
    const image = opts.images[offered++ % opts.images.length];
    uploads.push(
      (async () => {
        const form = uploadForm(image.bytes, `${image.name}.jpg`);
        try {
          const res = await fetch(`${opts.url}/predict`, { method: "POST", body: form });
          codes[res.status] = (codes[res.status] ?? 0) + 1;
          const body = (await res.json()) as { task_id?: string };
          if (res.status === 201 && body.task_id) finals.push(finalStatus(opts.url, body.task_id));
        } catch {
          codes.network = (codes.network ?? 0) + 1;
        }
      })(),
    );
    opts.onProgress?.((performance.now() - start) / (opts.seconds * 1000), `${offered} offered`);
    const next = start + offered * intervalMs;
    await Bun.sleep(Math.max(0, next - performance.now()));
  }
  await Promise.all(uploads);
  const endOfLoad = opts.rssMb();
  const statuses = await Promise.all(finals);
  clearInterval(sampler);
  const terminal: Record<string, number> = {};
  let lost = 0;
  for (const s of statuses) {
    if (s && isTerminal(s as TaskStatus)) terminal[s] = (terminal[s] ?? 0) + 1;
    else lost++;
  }
  const { 201: accepted = 0, 429: rejected = 0, ...other } = codes;
  const elapsed = (performance.now() - start) / 1000;
  return {
    offered_rate: round(opts.rate, 2),
    seconds: round(elapsed, 1),
    offered,
    accepted,
    rejected_429: rejected,
    other_codes: other,
    terminal,
    lost,
    completed_per_second: round((terminal.completed ?? 0) / elapsed, 2),
    rss_mb: { start: round(rss.start), peak: round(Math.max(rss.peak, endOfLoad)), end_of_load: round(endOfLoad) },
  };
}
