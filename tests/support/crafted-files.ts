/** Byte-level fixtures built in code, so the tests carry no binary blobs. */

const enc = new TextEncoder();

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(enc.encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, Bun.hash.crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid PNG header declaring width × height, with one tiny IDAT: a pixel bomb by its header. */
export function pngDeclaring(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", Bun.deflateSync(new Uint8Array(64))),
    chunk("IEND", new Uint8Array()),
  ];
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const text = (s: string) => enc.encode(s);

/** Minimal files of types that are not images, by their real magic bytes. */
export const NOT_IMAGES: Record<string, Uint8Array> = {
  pdf: text("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
  exe: concat([text("MZ"), new Uint8Array(58), new Uint8Array([0x80, 0, 0, 0]), new Uint8Array(64), text("PE\0\0"), new Uint8Array(200)]),
  elf: concat([new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), new Uint8Array(120)]),
  zip: concat([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0]), new Uint8Array(20), text("a.txt"), text("hello")]),
  svg: text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'),
  html: text("<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"),
  text: text("this is just some text pretending to be a jpeg\n"),
};
