import { readdirSync, readFileSync } from "node:fs";
import { descendants } from "../src/util/process-tree";

/** Resident memory in MB of a process and its descendants, from /proc. */
export function rssOf(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    let mb = m ? Number(m[1]) / 1024 : 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/) : []) mb += rssOf(Number(child));
    }
    return mb;
  } catch {
    return Number.NaN;
  }
}

/** /proc reports CPU time in USER_HZ, 100 per second on Linux whatever the kernel's HZ. */
const USER_HZ = 100;
/** Milliseconds of CPU in one /proc tick. */
export const MS_PER_TICK = 1000 / USER_HZ;

/** utime + stime of one process (all its threads), in ticks; 0 once it is gone. */
export function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** utime + stime of one thread of a process, in ticks. */
export function threadTicks(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks of each thread of a process, by thread id, with the thread's name (the main thread: "main"). */
export type ThreadTicks = Map<number, { name: string; ticks: number }>;

/** Ticks spent between two readings, summed by thread name (threads that ended in between are not counted). */
export function threadProfile(before: ThreadTicks, after: ThreadTicks): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tid, t] of after) out[t.name] = (out[t.name] ?? 0) + t.ticks - (before.get(tid)?.ticks ?? 0);
  return out;
}

export function threadTicksById(pid: number): ThreadTicks {
  const out: ThreadTicks = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = tid === pid ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, { name, ticks: Number(f[11]) + Number(f[12]) });
    }
  } catch {
    // gone
  }
  return out;
}

/** The process of the tree below `root` (or `root` itself) whose command line names `script`: `bun run` starts a script through a wrapper. */
export function processRunning(root: number, script: string): number | undefined {
  return [root, ...descendants(root)].find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(script);
    } catch {
      return false;
    }
  });
}

/** CPU ticks of a whole process tree. */
export const treeTicks = (pid: number) => [pid, ...descendants(pid)].reduce((t, p) => t + ticksOf(p), 0);

/** Busy ticks of the whole machine (every core), from /proc/stat. */
function machineBusyTicks(): number {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
    return user + nice + system + irq + softirq + steal;
  } catch {
    return Number.NaN;
  }
}

export interface CpuSample {
  at: number;
  machine: number;
  /** ticks per role: the process trees of each role's pids */
  roles: Record<string, number>;
}

/**
 * CPU time so far of each role's processes (with their descendants) and of
 * the bench process itself ("bench": the load generator, without its children).
 */
export function sampleCpu(roles: Record<string, readonly number[]>): CpuSample {
  const out: Record<string, number> = { bench: ticksOf(process.pid) };
  for (const [role, pids] of Object.entries(roles)) out[role] = pids.reduce((t, p) => t + treeTicks(p), 0);
  return { at: performance.now(), machine: machineBusyTicks(), roles: out };
}

export interface CpuUse {
  /** the machine's busy time over the run, in % of one core (200 = two cores busy) */
  machine_pct: number;
  /** each role's share, in % of one core */
  by_role_pct: Record<string, number>;
  /** what nothing the bench started used: other work on the machine (and a Redis given by REDIS_URL) */
  other_pct: number;
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => Math.round((ticks / USER_HZ / seconds) * 1000) / 10;
  const by_role_pct: Record<string, number> = {};
  let ours = 0;
  for (const role of Object.keys(b.roles)) {
    const d = b.roles[role] - (a.roles[role] ?? 0);
    ours += d;
    by_role_pct[role] = pct(d);
  }
  const machine = b.machine - a.machine;
  return { machine_pct: pct(machine), by_role_pct, other_pct: pct(Math.max(0, machine - ours)) };
}
