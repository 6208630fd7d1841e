import { freePort } from "../util/free-port";
import { aptInstall } from "./apt-install";

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway Redis on a free loopback port, for tests and benchmarks: no
 * persistence, gone when stopped. Debian's redis-server is installed first
 * when missing (root on Debian), as CI does.
 */
export async function startLocalRedis({ port = freePort(), aofDir }: { port?: number; /** keep an fsync-always AOF here, so a restart keeps the data */ aofDir?: string } = {}): Promise<LocalRedis & { port: number; pid: number }> {
  if (!aptInstall("redis-server", "redis-server", "the Redis backend's tests and benchmarks need a Redis")) {
    throw new Error("redis-server is not installed, and REDIS_URL does not point at a Redis");
  }
  const persistence = aofDir ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", aofDir] : ["--appendonly", "no"];
  const child = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--loglevel", "warning"], {
    stdout: "ignore",
    stderr: "inherit",
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then((s) => (s.end(), true), () => false);
    if (up) break;
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("redis-server did not start within 10 s");
    await Bun.sleep(25);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}
