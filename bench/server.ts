import type { Subprocess } from "bun";
import { cancelableSleep, onInterrupt, spawnTracked } from "./children";
import { freePort, waitUntilReady } from "../src/util/free-port";
import { descendants } from "../src/util/process-tree";
import { rssOf } from "./proc";

export { rssOf };

export interface BenchServer {
  url: string;
  pid: number;
  /** from spawn to the first 200 on /health/ready */
  readyMs: number;
  /** from spawn to every inference worker warm (the load starts then) */
  warmMs: number;
  /** resident memory of the service's processes (not the Redis) */
  rssMb(): number;
  /** the pids behind each part of the service, for CPU accounting (each with its descendants) */
  roles(): Record<string, number[]>;
  stop(): Promise<number>;
}

/**
 * The bench's load comes from one address, where a real one would come from
 * many clients: the per-client cap (CLIENT_QUEUE_MAX, 25 by default) would
 * refuse most of it, so every service the bench starts lifts it, unless
 * CLIENT_QUEUE_MAX is set in the bench's environment or by the caller's `env`.
 */
const ONE_ADDRESS_FOR_ALL_CLIENTS = { CLIENT_QUEUE_MAX: "100000" };

/** `bun run <script>` from package.json (start:prod, inference:prod: what the container runs), tracked for cleanup. */
export function spawnScript(repo: string, script: string, env: Record<string, string>): Subprocess {
  return spawnTracked(["bun", "run", script], {
    cwd: repo,
    env: { ...ONE_ADDRESS_FOR_ALL_CLIENTS, ...process.env, LOG_LEVEL: "warn", ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
}

/** SIGTERM (the service drains), then SIGKILL to the whole tree if it has not exited within `graceMs`. */
export async function stopChild(child: Subprocess, graceMs = 30_000): Promise<number> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill("SIGTERM");
  const exited = await Promise.race([child.exited, cancelableSleep(graceMs)]);
  if (exited !== undefined) return exited;
  for (const pid of descendants(child.pid).reverse()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  child.kill("SIGKILL");
  return child.exited;
}

/** Polls until `check` passes, failing at once if one of `children` exits. */
export async function waitFor(what: string, children: Subprocess[], timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`a service process exited with ${dead.exitCode} while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

/** `bun run start:prod` (what the container runs) in a child process with extra environment, on a free port. */
export async function startServer(repo: string, env: Record<string, string>): Promise<BenchServer> {
  const port = freePort();
  const t0 = performance.now();
  const child = spawnScript(repo, "start:prod", { PORT: String(port), ...env });
  const unregister = onInterrupt(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  let readyMs: number;
  try {
    await waitUntilReady(`${url}/health/ready`, child, 60_000);
    readyMs = performance.now() - t0;
    // Ready means one worker is warm; the others warm (staggered) a moment later.
    // The load starts once all are, so warm-up is not measured as throughput.
    await waitFor("all workers warm", [child], 60_000, async () => {
      const health = (await (await fetch(`${url}/health`)).json()) as { workers: { state: string }[] };
      return health.workers.length > 0 && health.workers.every((w) => w.state === "ready");
    });
  } catch (err) {
    unregister();
    await stopChild(child, 5000);
    throw err;
  }
  return {
    url,
    pid: child.pid,
    readyMs,
    warmMs: performance.now() - t0,
    rssMb: () => rssOf(child.pid),
    roles: () => ({ service: [child.pid] }),
    async stop() {
      unregister();
      return stopChild(child);
    },
  };
}
