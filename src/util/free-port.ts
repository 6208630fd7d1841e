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
