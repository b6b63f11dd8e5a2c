// Seeded inverted-dropout masks in one JS loop (FNV-1a of a string seed, then mulberry32 per element):
// tf.dropout draws every element through seedrandom, ~100 ns each (a third of a SASRec epoch, and of a
// CoRA step at the SmolLM2-135M shape); used by the CF layers and the LLM adapters.
// Reference: mulberry32 (T. Ettinger); FNV-1a (Fowler, Noll, Vo).

/**
 * Inverted-dropout mask: 0, or 1 / (1 - rate) with probability 1 - rate, reproducible from the seed.
 * @returns [n] float32
 */
export function seededDropoutMask(n: number, rate: number, seed: string): Float32Array {
  let a = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193);
  const keep = 1 - rate, scale = 1 / keep, limit = keep * 4294967296, out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) < limit ? scale : 0;
  }
  return out;
}
