export { freePort } from "../src/util/free-port";

/** Waits until `url` answers 200, failing at once (with the reason) if the child exits first. */
export async function waitUntilReady(url: string, child: { exitCode: number | null; stderr?: unknown }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const stderr = child.stderr instanceof ReadableStream ? await new Response(child.stderr).text() : "";
      throw new Error(`the service exited with ${child.exitCode} before it was ready: ${stderr.slice(0, 500)}`);
    }
    if (await fetch(url).then((r) => r.status === 200, () => false)) return;
    if (Date.now() > deadline) throw new Error(`the service was not ready after ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}
