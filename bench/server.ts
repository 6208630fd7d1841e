import { readdirSync, readFileSync } from "node:fs";
import { freePort, waitUntilReady } from "./free-port";

export interface BenchServer {
  url: string;
  pid: number;
  /** from spawn to the first 200 on /health */
  readyMs: number;
  rssMb(): number;
  stop(): Promise<number>;
}

/** Resident memory in MB of a process and its descendants (`bun run` starts the server as a child), from /proc. */
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

/** `bun run start:prod` (what the container runs) in a child process with extra environment, on a free port. */
export async function startServer(repo: string, env: Record<string, string>): Promise<BenchServer> {
  const port = freePort();
  const t0 = performance.now();
  const child = Bun.spawn(["bun", "run", "--silent", "start:prod"], {
    cwd: repo,
    env: { ...process.env, LOG_LEVEL: "warn", PORT: String(port), ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/health/ready`, child, 60_000);
  const readyMs = performance.now() - t0;
  return {
    url,
    pid: child.pid,
    readyMs,
    rssMb: () => rssOf(child.pid),
    async stop() {
      child.kill("SIGTERM");
      return child.exited;
    },
  };
}
