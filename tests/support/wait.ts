/** Polls `cond` until it holds, or fails naming `what` after `timeoutMs`. No imports: the tests that run the service elsewhere (a process, a container) use it without loading one. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(10);
  }
}
