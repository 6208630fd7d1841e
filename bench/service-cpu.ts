import { round } from "../src/bench-kit/stats";
import { cpuBetween, MS_PER_TICK, processRunning, sampleCpu, threadProfile, threadTicksById, treeTicks } from "./proc";

export interface ServiceCpu {
  /** CPU of the service's whole process tree per completed image */
  cpu_ms_per_image: number;
  /** the same by thread name: "main" (HTTP), "Worker" (inference), "libvips worker", "Bun Pool n", GC and JIT helpers */
  threads_ms_per_image: Record<string, number>;
  /**
   * what the machine spent on work the bench did not start (other programs), in % of one core:
   * on a shared box the figures above rise with it, as the threads share caches and cores
   */
  other_pct: number;
}

/**
 * Starts counting the CPU of a service started by the bench (`pid`: the
 * spawned child; `bun run` may put a wrapper above the serving process);
 * `stop(images)` gives it per completed image, in all and by thread, with
 * the machine's other work meanwhile. `loads`: the bench's own load
 * processes (not other work).
 */
export function watchServiceCpu(pid: number, loads: number[] = []): { stop(images: number): ServiceCpu } {
  const serving = processRunning(pid, "src/main/serve.ts") ?? pid;
  const roles = { service: [pid], load: loads };
  const tree0 = treeTicks(pid);
  const threads0 = threadTicksById(serving);
  const machine0 = sampleCpu(roles);
  return {
    stop(images) {
      const perImage = (ticks: number) => round((ticks * MS_PER_TICK) / Math.max(1, images));
      const threads = threadProfile(threads0, threadTicksById(serving));
      return {
        cpu_ms_per_image: perImage(treeTicks(pid) - tree0),
        threads_ms_per_image: byThreadGroup(threads, perImage),
        other_pct: cpuBetween(machine0, sampleCpu(roles)).other_pct,
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
