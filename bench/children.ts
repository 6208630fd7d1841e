import type { Subprocess } from "bun";
import { descendants } from "../src/util/process-tree";

/**
 * Every process the bench starts (services, inference processes, Redis) is
 * registered here, so that a failure, Ctrl-C or SIGTERM stops them all
 * instead of leaving a service or a Redis running after the bench is gone.
 */
const live = new Set<Subprocess>();
const cleanups = new Set<() => Promise<unknown>>();
/** processes started elsewhere (the local Redis) */
const otherPids = new Set<number>();

/** Bun.spawn, remembered until it exits. */
export function spawnTracked(cmd: string[], opts: Parameters<typeof Bun.spawn>[1]): Subprocess {
  installHandlers();
  const child = Bun.spawn(cmd, opts);
  live.add(child);
  void child.exited.then(() => live.delete(child));
  return child;
}

/**
 * Resolves with undefined after `ms`, without holding the event loop open:
 * a pending Bun.sleep in a lost Promise.race would keep the bench alive after it is done.
 */
export function cancelableSleep(ms: number): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as unknown as { unref(): void };
    timer.unref();
  });
}

/**
 * Runs `fn` when the bench is interrupted or fails (newest first); returns the
 * unregistration. `pid`, when given, is SIGKILLed as a last resort (a second
 * Ctrl-C) while registered.
 */
export function onInterrupt(fn: () => Promise<unknown>, pid?: number): () => void {
  installHandlers();
  cleanups.add(fn);
  if (pid !== undefined) otherPids.add(pid);
  return () => {
    cleanups.delete(fn);
    if (pid !== undefined) otherPids.delete(pid);
  };
}

let stopping: Promise<void> | undefined;

/**
 * The orderly stop: registered cleanups (SIGTERM, waiting for exits), newest
 * first, each bounded. Once begun, every caller waits for the same stop.
 */
export function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    for (const fn of [...cleanups].reverse()) {
      cleanups.delete(fn);
      await Promise.race([fn().catch(() => {}), cancelableSleep(15_000)]);
    }
  })();
  return stopping;
}

let interrupted = false;
/** True once SIGINT or SIGTERM arrived: a failure after that is the interruption, not a bench error. */
export const wasInterrupted = () => interrupted;

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
  for (const pid of otherPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

let installed = false;
/** Signal and exit handlers, installed with the first child (importing this module changes nothing). */
function installHandlers() {
  if (installed) return;
  installed = true;
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
}
