/**
 * A multipart body without Content-Length (chunked) cannot be refused by its
 * header, so it is read here up to a cap instead of being buffered whole.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number, tooLarge: (bytes: number) => never): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (body) {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > cap) tooLarge(total);
      chunks.push(chunk);
    }
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
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
