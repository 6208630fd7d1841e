/**
 * A TCP port the OS has just handed out and released, for a child server to
 * listen on. A random pick could hit a port another server already holds.
 */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/** A child's output stream as text, unless someone else is reading it. */
const textOf = async (stream: unknown) => (stream instanceof ReadableStream && !stream.locked ? await new Response(stream).text() : "");

/**
 * Waits until the child server on `url` answers 200. Fails at once, with the
 * child's error lines, if it exits first: a service that refused its
 * configuration would otherwise be reported as a timeout with no reason. Its
 * start-up failures are JSON lines on stdout ("cannot start", "model
 * unusable"); anything else it printed is on stderr.
 */
export async function waitUntilReady(url: string, child: { exitCode: number | null; stdout?: unknown; stderr?: unknown }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const [stdout, stderr] = await Promise.all([textOf(child.stdout), textOf(child.stderr)]);
      const errors = stdout.split("\n").filter((line) => line.includes('"level":"error"'));
      throw new Error(`the service exited with ${child.exitCode} before it was ready: ${[...errors, stderr].join("\n").trim().slice(0, 500)}`);
    }
    if (await fetch(url).then((r) => r.status === 200, () => false)) return;
    if (Date.now() > deadline) throw new Error(`the service was not ready after ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}
