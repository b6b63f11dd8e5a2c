// Seeded inverted-dropout masks in one JS loop (FNV-1a of a string seed, then mulberry32 per element):
// tf.dropout draws every element through seedrandom, ~100 ns each (a third of a SASRec epoch, and of a
// CoRA step at the SmolLM2-135M shape); used by the CF layers and the LLM adapters through
// backend/dropout-mask.ts, which runs the same stream natively when it can.
// Reference: mulberry32 (T. Ettinger); FNV-1a (Fowler, Noll, Vo).

/** What fixes a mask: the stream's start state, the keep threshold on a uint32 draw, the kept value. */
export interface DropoutMaskParams {
  /** FNV-1a hash of the seed string (uint32): the mulberry32 state before the first draw. */
  readonly state: number;
  /** An element is kept when its uint32 draw is below this integer (keep probability x 2^32, rounded up). */
  readonly threshold: number;
  /** The kept elements' value, 1 / (1 - rate) rounded to float32. */
  readonly scale: number;
}

/** The stream parameters of a mask at this rate and seed. */
export function dropoutMaskParams(rate: number, seed: string): DropoutMaskParams {
  let a = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193);
  const keep = 1 - rate;
  // a uint32 draw u satisfies u < keep * 2^32 exactly when u < ceil(keep * 2^32)
  return { state: a >>> 0, threshold: Math.ceil(keep * 4294967296), scale: Math.fround(1 / keep) };
}

/**
 * Inverted-dropout mask: 0, or 1 / (1 - rate) with probability 1 - rate, reproducible from the seed.
 * @returns [n] float32
 */
export function seededDropoutMask(n: number, rate: number, seed: string): Float32Array {
  const { state, threshold, scale } = dropoutMaskParams(rate, seed);
  let a = state | 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) < threshold ? scale : 0;
  }
  return out;
}
