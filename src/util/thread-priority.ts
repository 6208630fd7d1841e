import { dlopen, FFIType } from "bun:ffi";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Linux lets a process lower the priority (raise the nice value) of any of
 * its own threads: setpriority(PRIO_PROCESS, tid, nice) acts on one thread.
 * Inference runs in threads of the serving process, so lowering theirs lets
 * the event loop (uploads, polls) take a core the moment it needs one.
 */
const PRIO_PROCESS = 0;

let setpriority: ((which: number, who: number, prio: number) => number) | undefined;
try {
  const libc = dlopen("libc.so.6", { setpriority: { args: [FFIType.i32, FFIType.u32, FFIType.i32], returns: FFIType.i32 } });
  setpriority = libc.symbols.setpriority;
} catch {
  // Not glibc Linux: priorities stay as they are.
}

/** The nice value of one thread of this process. */
export function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

/** The ids of this process's threads whose name `matches`; threads that end while they are read are skipped. */
export function threadsNamed(matches: (name: string) => boolean): number[] {
  const tids: number[] = [];
  for (const entry of readdirSync("/proc/self/task")) {
    try {
      if (matches(readFileSync(`/proc/self/task/${entry}/comm`, "utf8").trim())) tids.push(Number(entry));
    } catch {
      // the thread ended meanwhile
    }
  }
  return tids;
}

/**
 * Sets `nice` on every thread of this process whose name `matches` and is
 * not there already; returns how many it changed.
 */
export function reniceThreads(matches: (name: string) => boolean, nice: number): number {
  if (!setpriority) return 0;
  let changed = 0;
  for (const tid of threadsNamed(matches)) {
    try {
      if (niceOf(tid) !== nice && setpriority(PRIO_PROCESS, tid, nice) === 0) changed++;
    } catch {
      // the thread ended meanwhile
    }
  }
  return changed;
}
