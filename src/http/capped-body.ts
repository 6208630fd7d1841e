import { refuse } from "../domain/errors";

export interface ReadLimits {
  /** most bytes accepted; more gives `tooLarge` */
  cap: number;
  /** the whole body must have arrived within this */
  timeoutMs: number;
  /** each chunk's size as it arrives; throws to refuse the body (a chunked body outgrowing its lease) */
  onChunk?: (bytes: number) => void;
  tooLarge: (bytes: number) => never;
}

/**
 * Reads a request body up to a cap and a deadline. A declared Content-Length
 * is read into one buffer of that size (Bun stops there), so the body is held
 * once; a chunked one is gathered, then joined. Past the deadline the read is
 * canceled and the upload refused with upload_timeout (408), whose answer
 * closes the connection (error-handler.ts). Other refusals leave it open: Bun
 * discards a body nobody reads without buffering it, and a client still
 * sending would otherwise get a reset instead of its 429.
 */
export async function readBody(request: Request, limits: ReadLimits): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  const expected = Number(declared);
  // Only a sane declared length (the caller has checked it against the cap) gets its buffer up front.
  const into = declared !== null && Number.isSafeInteger(expected) && expected >= 0 && expected <= limits.cap ? new Uint8Array(expected) : undefined;
  let total = 0;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader?.cancel().catch(() => {});
  }, limits.timeoutMs);
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (timedOut) break;
      if (done) break;
      if (total + value.byteLength > limits.cap) limits.tooLarge(total + value.byteLength);
      limits.onChunk?.(value.byteLength);
      if (into && total + value.byteLength <= into.byteLength) into.set(value, total);
      else chunks.push(value);
      total += value.byteLength;
    }
  } catch (err) {
    if (!timedOut) throw err;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) {
    void reader?.cancel().catch(() => {});
    throw refuse.uploadTimeout(limits.timeoutMs);
  }
  if (into && chunks.length === 0) return total === into.byteLength ? into : into.slice(0, total);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of into ? [into.subarray(0, total - chunks.reduce((n, c) => n + c.byteLength, 0)), ...chunks] : chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** FormData → the object shape Elysia gives route handlers: repeated keys become arrays. */
export function formToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}
