/** Seeded randomness for generated fixtures: the same seed gives the same bytes. */

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Flips `bits` distinct random bits, at positions in [from, to). */
export function flipBits(src: Uint8Array, rand: () => number, bits: number, from = 0, to = src.length): Uint8Array {
  const out = src.slice();
  const done = new Set<number>();
  while (done.size < Math.min(bits, (to - from) * 8)) {
    const bit = from * 8 + Math.floor(rand() * (to - from) * 8);
    if (done.has(bit)) continue;
    done.add(bit);
    out[bit >> 3] ^= 1 << (bit & 7);
  }
  return out;
}
