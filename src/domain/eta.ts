import { isTerminal, type Task } from "./task";

/**
 * How fast the workers go: the moving average of a task's service time (or,
 * before any has finished, the warm-up run, at least 100 ms) and how many run
 * side by side.
 */
export interface Rate {
  serviceMs?: number;
  warmupMs?: number;
  lanes: number;
}

/** weight of the newest sample in the moving average of service time */
const EWMA_ALPHA = 0.2;

/** The moving average of service time after one more run of `ms` (the first run sets it). */
export function averageServiceMs(average: number | undefined, ms: number): number {
  return average === undefined ? ms : average + EWMA_ALPHA * (ms - average);
}

const perImageMs = (rate: Rate) => rate.serviceMs ?? Math.max(rate.warmupMs ?? 0, 100);

/** An open task that takes more than one model run (a tiled one), as the tasks behind it must price it. */
export interface HeavyTask {
  id: string;
  runs: number;
  status: "pending" | "processing";
  /** its queue position while pending (as last read: on Redis, up to a refresh old) */
  position: number;
  createdAt: number;
  startedAt?: number;
}

/** A tiled task as extraRunsAhead prices it, while it is open (undefined once it is not). */
export function heavyTaskOf(task: Pick<Task, "id" | "status" | "createdAt" | "startedAt">, runs: number, position: number): HeavyTask | undefined {
  const { id, status, createdAt, startedAt } = task;
  if (status === "pending") return { id, runs, status, position, createdAt };
  if (status === "processing") return { id, runs, status, position: 0, createdAt, startedAt };
  return undefined;
}

/**
 * The runs the open tiled tasks put ahead of a pending task at `position`
 * (created at `createdAt`), beyond the one run every task ahead already
 * counts for: all but one of each tiled task waiting ahead of it, and what a
 * running one has left but one (its runs less those its lanes got through
 * since it started). Two pending tasks never share a position, so a tie
 * means a stale reading (Redis: the tiled one has moved on since): the one
 * that came first is ahead.
 */
export function extraRunsAhead(heavy: readonly HeavyTask[], task: { position: number; createdAt: number }, rate: Rate, now: number): number {
  const per = perImageMs(rate);
  const lanes = Math.max(1, rate.lanes);
  let extra = 0;
  for (const h of heavy) {
    const ahead = h.position < task.position || (h.position === task.position && h.createdAt < task.createdAt);
    if (h.status === "pending" && h.position > 0 && ahead) extra += h.runs - 1;
    if (h.status === "processing") extra += Math.max(0, h.runs - Math.floor(((now - (h.startedAt ?? now)) / per) * lanes) - 1);
  }
  return extra;
}

/**
 * Expected ms until a task finishes; `position` is its 1-based place in the
 * queue while pending. `runs` is how many model runs the task itself takes: a
 * tiled one runs its tiles side by side on the free workers, then the whole
 * image (executor/tiled-detection.ts). The tasks ahead count one run each,
 * and `extraAhead` more (extraRunsAhead: the tiled ones among them).
 * `ownScale` is what one of the task's own runs costs against one at its
 * model's own size (imgsz: the input's area ratio).
 */
export function etaMs(task: Pick<Task, "status" | "startedAt">, position: number, rate: Rate, now: number, runs = 1, extraAhead = 0, ownScale = 1): number | undefined {
  if (isTerminal(task.status)) return undefined;
  const per = perImageMs(rate);
  const lanes = Math.max(1, rate.lanes);
  const own = (runs > 1 ? (Math.ceil((runs - 1) / lanes) + 1) * per : per) * ownScale;
  if (task.status === "processing") return Math.max(0, Math.round(own - (now - (task.startedAt ?? 0))));
  return Math.round(Math.ceil((position + extraAhead) / lanes) * per + own);
}

/** Whole seconds until a queue of `waiting` tasks has drained (at least 1): the Retry-After of a refusal. */
export function backlogSeconds(waiting: number, rate: Rate): number {
  return Math.max(1, Math.ceil((waiting * perImageMs(rate)) / Math.max(1, rate.lanes) / 1000));
}
