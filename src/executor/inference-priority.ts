import type { Cancel, Clock } from "../domain/clock";
import { reniceThreads } from "../util/thread-priority";

/** Workers and their image pipelines' threads appear on first use and after a restart: looked for this often. */
const RENICE_EVERY_MS = 1000;

/**
 * Bun names its Worker threads "Worker"; libvips and Pango name theirs. The
 * HTTP thread (main) and Bun's pool (which reads upload headers) are left at
 * their priority.
 */
export const isInferenceThread = (name: string) => name === "Worker" || name.startsWith("libvips") || name.startsWith("[pango]");

/**
 * Keeps the inference threads `nice` steps below the HTTP thread, so an
 * upload or a poll takes a core the moment it needs one instead of waiting
 * for the model: the workers still get every cycle the event loop leaves.
 */
export function keepInferenceThreadsLowered(clock: Clock, nice: number): Cancel {
  reniceThreads(isInferenceThread, nice);
  return clock.setInterval(() => reniceThreads(isInferenceThread, nice), RENICE_EVERY_MS);
}
