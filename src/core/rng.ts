// Seeded pseudo-random numbers (xoshiro128** seeded through splitmix32): every random choice in the
// kit goes through an Rng so that a run is reproducible from its seed.
// Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2021).

/** A seeded generator; all methods advance the same stream. */
export interface Rng {
  /** Seed the generator was made from. */
  readonly seed: number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T extends { [i: number]: unknown; length: number }>(a: T): T;
  /** An independent child generator, e.g. one per epoch or per model. */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Create a generator from an integer seed; equal seeds give equal streams. */
export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`makeRng: seed must be an integer, got ${seed}`);
  const sm = splitmix32(seed);
  const s = new Uint32Array([sm(), sm(), sm(), sm()]);
  let spareNormal: number | null = null;
  const nextU32 = (): number => {
    const s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ s[2]!;
    s[0] = s0 ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return r;
  };
  const rng: Rng = {
    seed,
    next: () => nextU32() / 4294967296,
    int: (n: number) => {
      if (!(n > 0)) throw new Error(`Rng.int: n must be positive, got ${n}`);
      return Math.floor((nextU32() / 4294967296) * n);
    },
    normal: () => {
      if (spareNormal !== null) {
        const v = spareNormal;
        spareNormal = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle: (a) => {
      for (let i = a.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
      }
      return a;
    },
    fork: () => makeRng(nextU32() | 0),
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
