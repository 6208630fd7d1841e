/**
 * Installs a Debian package a test run needs when it is missing, if this is a
 * Debian machine we are root on (as CI and a fresh developer machine are);
 * otherwise says how. Returns whether the package's command is now there.
 */
export function aptInstall(pkg: string, command: string, why: string): boolean {
  if (Bun.which(command) || (command.startsWith("/") && Bun.file(command).size > 0)) return true;
  const canApt = process.platform === "linux" && process.getuid?.() === 0 && Bun.which("apt-get") !== null;
  if (!canApt) {
    console.error(`${command} not found: ${why}. Install it (Debian: apt-get install -y ${pkg}).`);
    return false;
  }
  console.error(`${command} not found: installing Debian's ${pkg} package (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const cmd of [["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", pkg]]) {
    const run = Bun.spawnSync(cmd, { env, stdout: "inherit", stderr: "inherit" });
    if (run.exitCode !== 0) {
      console.error(`${cmd.join(" ")} failed (exit ${run.exitCode}).`);
      return false;
    }
  }
  return true;
}
