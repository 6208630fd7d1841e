import { readdirSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";

/**
 * Every process the bench starts (services, inference processes, Redis) is
 * registered here, so that a failure, Ctrl-C or SIGTERM stops them all
 * instead of leaving a service or a Redis running after the bench is gone.
 */
const live = new Set<Subprocess>();
const cleanups = new Set<() => Promise<unknown>>();

/** Bun.spawn, remembered until it exits. */
export function spawnTracked(cmd: string[], opts: Parameters<typeof Bun.spawn>[1]): Subprocess {
  const child = Bun.spawn(cmd, opts);
  live.add(child);
  void child.exited.then(() => live.delete(child));
  return child;
}

/** Runs `fn` when the bench is interrupted (in reverse order of registration); returns the unregistration. */
export function onInterrupt(fn: () => Promise<unknown>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** The pids below `pid` (`bun run` starts the script as its child), from /proc. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/).map(Number) : []) out.push(child, ...descendants(child));
    }
  } catch {
    // gone already
  }
  return out;
}

/** The orderly stop: registered cleanups (SIGTERM, waiting for exits), newest first, each bounded. */
export async function stopEverything(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    await Promise.race([fn().catch(() => {}), Bun.sleep(15_000)]);
  }
}

/** Last resort, synchronous: SIGKILL whatever is still running, grandchildren first. */
function killRemaining() {
  for (const child of live) {
    for (const pid of descendants(child.pid).reverse()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    child.kill("SIGKILL");
  }
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killRemaining();
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the service, inference processes and Redis the bench started (again to kill them)\n`);
    void stopEverything().finally(() => process.exit(130));
  });
}
process.on("exit", killRemaining);
