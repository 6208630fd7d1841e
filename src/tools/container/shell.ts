/** Commands the container tooling runs: output shown (they are long), failures thrown with what failed. */
export function run(cmd: string[], what: string, cwd?: string): void {
  const child = Bun.spawnSync(cmd, { cwd, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  if (child.exitCode !== 0) throw new Error(`${what} failed (exit ${child.exitCode}): ${cmd.join(" ")}`);
}

/** A command whose output is the answer. */
export function runQuiet(cmd: string[]): { ok: boolean; stdout: string; stderr: string } {
  const child = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { ok: child.exitCode === 0, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}
