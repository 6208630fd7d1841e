/** Commands the container tooling runs (output shown: they are long; failures thrown with what failed), and what it asks Docker of an image. */
export function run(cmd: string[], what: string, cwd?: string): void {
  const child = Bun.spawnSync(cmd, { cwd, stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  if (child.exitCode !== 0) throw new Error(`${what} failed (exit ${child.exitCode}): ${cmd.join(" ")}`);
}

/** A command whose output is the answer. */
export function runQuiet(cmd: string[]): { ok: boolean; stdout: string; stderr: string } {
  const child = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { ok: child.exitCode === 0, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}

/** One field of a local image (`docker image inspect --format`), or undefined when there is no such image. */
function imageField(tag: string, format: string): string | undefined {
  const out = runQuiet(["docker", "image", "inspect", "--format", format, tag]);
  return out.ok ? out.stdout.trim() : undefined;
}

/** The key a stand-in image was made from (its `stand-in.key` label): equal keys, nothing to rebuild. */
export const standInKey = (tag: string) => imageField(tag, '{{index .Config.Labels "stand-in.key"}}');
export const imageId = (tag: string) => imageField(tag, "{{.Id}}");
export const imageBytes = (tag: string) => Number(imageField(tag, "{{.Size}}"));
