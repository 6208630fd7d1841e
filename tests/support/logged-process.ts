import type { Subprocess } from "bun";

/** A child process of the service (`bun start`, `bun run inference`) and its log as it arrives. */
export interface LoggedProcess {
  child: Subprocess<"ignore", "pipe", "pipe">;
  /** its log, one parsed JSON line each */
  logs: Record<string, any>[];
}

/** Every process spawned here, for a test file's afterAll to kill. */
export const spawned: LoggedProcess[] = [];

/** Starts `bun <entry>` with `env` over this process's environment, collecting its JSON log lines. */
export function spawnLogged(entry: string, env: Record<string, string>): LoggedProcess {
  const child = Bun.spawn(["bun", entry], { env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const proc: LoggedProcess = { child, logs: [] };
  void (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) if (line.startsWith("{")) proc.logs.push(JSON.parse(line));
    }
  })();
  spawned.push(proc);
  return proc;
}

/** Kills every process spawned here and waits for each to exit. */
export async function killSpawned() {
  for (const p of spawned) p.child.kill("SIGKILL");
  await Promise.all(spawned.map((p) => p.child.exited));
}
