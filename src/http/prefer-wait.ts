/** Longest a client may ask POST /predict to wait for the result. */
export const MAX_WAIT_S = 60;

/**
 * The `wait` preference of an RFC 7240 `Prefer` header ("wait=5",
 * "respond-async, wait=10"), in whole seconds, capped at MAX_WAIT_S;
 * undefined when absent or not a number.
 */
export function preferredWaitSeconds(prefer: string | null | undefined): number | undefined {
  const m = prefer?.match(/(?:^|[\s,;])wait\s*=\s*"?(\d+)"?/i);
  if (!m) return undefined;
  return Math.min(MAX_WAIT_S, Number(m[1]));
}
