import { round } from "../src/bench-kit/stats";
import { MS_PER_TICK, processRunning, threadProfile, threadTicksById, treeTicks } from "./proc";

export interface ServiceCpu {
  /** CPU of the service's whole process tree per completed image */
  cpu_ms_per_image: number;
  /** the same by thread name: "main" (HTTP), "Worker" (inference), "libvips worker", "Bun Pool n", GC and JIT helpers */
  threads_ms_per_image: Record<string, number>;
}

/**
 * Starts counting the CPU of a service started by the bench (`pid`: the
 * spawned child; `bun run` may put a wrapper above the serving process);
 * `stop(images)` gives it per completed image, in all and by thread.
 */
export function watchServiceCpu(pid: number): { stop(images: number): ServiceCpu } {
  const serving = processRunning(pid, "src/main/serve.ts") ?? pid;
  const tree0 = treeTicks(pid);
  const threads0 = threadTicksById(serving);
  return {
    stop(images) {
      const perImage = (ticks: number) => round((ticks * MS_PER_TICK) / Math.max(1, images));
      const threads = threadProfile(threads0, threadTicksById(serving));
      return {
        cpu_ms_per_image: perImage(treeTicks(pid) - tree0),
        threads_ms_per_image: byThreadGroup(threads, perImage),
      };
    },
  };
}

/** Ticks by thread name → per image by kind of thread: numbered ones ("Bun Pool 0", "Bun Pool 1") summed, idle ones left out. */
export function byThreadGroup(ticks: Record<string, number>, perImage: (ticks: number) => number): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const [name, t] of Object.entries(ticks)) {
    const group = name.replace(/ \d+$/, "");
    groups[group] = (groups[group] ?? 0) + t;
  }
  return Object.fromEntries(Object.entries(groups).filter(([, t]) => t > 0).map(([name, t]) => [name, perImage(t)]));
}
