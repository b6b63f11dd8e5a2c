// The wasm kernel patches give the cpu backend's answers (matmul, gather, segment sum, gradients of a
// small model) and leak nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';

function randn(shape: number[], seed: number): Float32Array {
  const r = makeRng(seed), n = shape.reduce((a, b) => a * b, 1), v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.normal();
  return v;
}

async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await initBackend(name);
  return f();
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('BatchMatMul on wasm', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 33, 17], [4, 17, 9], false, false],
    [[4, 17, 33], [4, 9, 17], true, true],
    [[4, 33, 17], [17, 9], false, false],
    [[33, 17], [4, 17, 40], false, false],
    [[2, 3, 40, 16], [2, 3, 40, 16], false, true],
    [[2, 3, 40, 40], [2, 3, 40, 16], false, false],
    [[2, 3, 40, 16], [2, 3, 40, 16], true, false],
  ];
  it.each(cases)('%j x %j (tA=%s, tB=%s) equals the cpu backend', async (sa, sb, ta, tb) => {
    const a = randn(sa, 1), b = randn(sb, 2);
    const run = () => tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb).dataSync());
    const ref = await onBackend('cpu', run);
    const before = tf.memory().numTensors;
    const got = await onBackend('wasm', run);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(ref.length);
    expect(maxRelErr(got, ref)).toBeLessThan(1e-5);
  });
});

describe('GatherV2 and UnsortedSegmentSum on wasm', () => {
  it('gathers rows like the cpu backend and rejects out-of-range ids', async () => {
    const x = randn([50, 6], 3), ids = [3, 0, 49, 3, 7];
    const run = () => tf.tidy(() => tf.gather(tf.tensor2d(x, [50, 6]), tf.tensor1d(ids, 'int32')).dataSync());
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(Array.from(got)).toEqual(Array.from(ref));
    expect(() => tf.tidy(() => tf.gather(tf.tensor2d(x, [50, 6]), tf.tensor1d([50], 'int32')))).toThrow(/out of range/);
  });

  it('sums segments with repeated and skipped ids', async () => {
    const got = await onBackend('wasm', () =>
      tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([2, 0, 2], 'int32'), 4).arraySync()));
    expect(got).toEqual([[3, 4], [0, 0], [1 + 5, 2 + 6], [0, 0]]);
  });
});

describe('training gradients on wasm', () => {
  // a small model touching every patched kernel: embedding gather, batched attention matmuls, a transposed head
  function grads(): Record<string, Float32Array> {
    return tf.tidy(() => {
      const E = tf.variable(tf.tensor2d(randn([20, 8], 4), [20, 8]));
      const W = tf.variable(tf.tensor2d(randn([8, 8], 5), [8, 8]));
      const ids = tf.tensor2d([1, 4, 4, 19, 0, 7, 7, 2], [2, 4], 'int32');
      const y = tf.tensor1d([1, 0]);
      const { grads: g } = tf.variableGrads(() => {
        const h = tf.gather(E, ids);  // [2, 4, 8]
        const q = tf.matMul(h, tf.tile(tf.expandDims(W, 0), [2, 1, 1]));
        const att = tf.softmax(tf.matMul(q, h, false, true));  // [2, 4, 4]
        const o = tf.matMul(att, h);  // [2, 4, 8]
        const logits = tf.sum(tf.matMul(tf.mean(o, 1), E, false, true), -1);  // tied head [2, 20] -> [2]
        return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
      }, [E, W]);
      const out = { E: g[E.name]!.dataSync() as Float32Array, W: g[W.name]!.dataSync() as Float32Array };
      tf.dispose([E, W]);
      return out;
    });
  }

  it('equal the cpu backend within 1e-4 relative error, with no leak', async () => {
    const ref = await onBackend('cpu', grads);
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const got = grads();
    expect(tf.memory().numTensors).toBe(before);
    expect(maxRelErr(got['E']!, ref['E']!)).toBeLessThan(1e-4);
    expect(maxRelErr(got['W']!, ref['W']!)).toBeLessThan(1e-4);
  });
});
