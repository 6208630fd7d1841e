import type { BenchImage } from "./images";
import { uploadForm } from "./upload-form";
import { isTerminal, type TaskStatus } from "../src/domain/task";

export interface PollLoadReport {
  clients: number;
  /** from the first upload to the last task finished */
  seconds: number;
  uploads: number;
  completed: number;
  polls: number;
}


/**
 * The original service's stress client: each of `clients` loops uploads a
 * photo, then polls its task every `pollMs` until it is finished, for
 * `seconds`; tasks uploaded by then are still followed to their end, so
 * the CPU measured over the run and the images completed cover the same work.
 * Polls read the whole JSON body, inline image included.
 */
export async function runPollLoad(url: string, images: readonly BenchImage[], clients: number, pollMs: number, seconds: number, onProgress?: (f: number) => void): Promise<PollLoadReport> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  let uploads = 0;
  let completed = 0;
  let polls = 0;
  const progress = setInterval(() => onProgress?.(1 - (end - performance.now()) / (seconds * 1000)), 1000);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const image = images[n++ % images.length];
        const form = uploadForm(image.bytes, `${image.name}.jpg`);
        const res = await fetch(`${url}/predict`, { method: "POST", body: form });
        const created = (await res.json()) as { task_id?: string };
        if (res.status !== 201 || !created.task_id) {
          await Bun.sleep(pollMs);
          continue;
        }
        uploads++;
        for (;;) {
          await Bun.sleep(pollMs);
          const task = (await (await fetch(`${url}/result/${created.task_id}`)).json()) as { status: string };
          polls++;
          if (isTerminal(task.status as TaskStatus)) {
            if (task.status === "completed") completed++;
            break;
          }
        }
      }
    }),
  );
  clearInterval(progress);
  return { clients, seconds: (performance.now() - (end - seconds * 1000)) / 1000, uploads, completed, polls };
}

/**
 * As a process of its own (`bun bench/poll-load.ts URL IMAGES_DIR CLIENTS POLL_MS SECONDS`),
 * started under `nice` by `bun run bench --perf`: on a shared box the load
 * generator then never takes a core from the service's HTTP thread, as remote
 * clients would not. Prints the report as JSON.
 */
if (import.meta.main) {
  const [url, dir, clients, pollMs, seconds] = process.argv.slice(2);
  const { benchImages } = await import("./images");
  const photos = await benchImages(dir, `${import.meta.dir}/results/images`, ["original"]);
  console.log(JSON.stringify(await runPollLoad(url, photos, Number(clients), Number(pollMs), Number(seconds))));
}
