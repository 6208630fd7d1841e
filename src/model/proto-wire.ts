import protobuf from "protobufjs/minimal.js";

// Protobuf at the wire level: a message copied field by field, some fields
// replaced or dropped, the rest kept byte for byte (an ONNX model's weights are
// megabytes that need no decoding). The ONNX messages that are decoded whole
// are in onnx-proto.ts.

/** One field of a protobuf message: where its bytes are (tag included) and, when length-delimited, its payload. */
export interface Field {
  id: number;
  start: number;
  end: number;
  payload?: Uint8Array;
}

export function fieldsOf(bytes: Uint8Array): Field[] {
  const reader = protobuf.Reader.create(bytes);
  const out: Field[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const payload = (tag & 7) === 2 ? reader.bytes() : (reader.skipType(tag & 7), undefined);
    out.push({ id: tag >>> 3, start, end: reader.pos, payload });
  }
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** A length-delimited field with a new payload. */
export function field(id: number, payload: Uint8Array): Uint8Array {
  const head = [...varint((id << 3) | 2), ...varint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/** Rewrites a message field by field: `edit` returns new bytes for a field, null to drop it, or undefined to copy it as it is. */
export function rewrite(bytes: Uint8Array, edit: (f: Field) => Uint8Array | null | undefined): Uint8Array {
  return concat(fieldsOf(bytes).flatMap((f) => {
    const changed = edit(f);
    return changed === null ? [] : [changed ?? bytes.subarray(f.start, f.end)];
  }));
}
