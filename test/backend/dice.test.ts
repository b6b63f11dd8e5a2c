// The fused Dice (one native kernel each way) on wasm equals the op chain on the cpu backend: forward
// rel err < 1e-5, the gradients to x, alpha, gain and shift < 1e-4, on 2-d and 3-d inputs with
// non-trivial parameters, and leaks no tensor. Skipped when the addon is absent (CFLLM_NATIVE=0 pass),
// where DIN runs the op chain itself.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { fusedDice, fusedDiceAvailable } from '../../src/backend/dice';
import { loadNativeGemm } from '../../src/backend/native-gemm';
import { makeRng } from '../../src/core/rng';

const { gemm, why } = loadNativeGemm();

function randn(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const r = makeRng(seed), v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = shift + r.normal() * scale;
  return v;
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / Math.max(den, 1e-12);
}

/** Dice as DIN's op chain: alpha (1 - p) x + p x, p = sigmoid(gain x + shift). */
function diceChain(x: tf.Tensor, a: tf.Tensor, g: tf.Tensor, s: tf.Tensor): tf.Tensor {
  const p = tf.sigmoid(tf.add(tf.mul(x, g), s));
  return tf.add(tf.mul(tf.mul(a, tf.sub(1, p)), x), tf.mul(p, x));
}

/** Value and the gradients of sum(dice(x) * w) to x, alpha, gain and shift, read back as arrays. */
async function run(shape: number[], dice: typeof diceChain): Promise<Float32Array[]> {
  const C = shape[shape.length - 1]!, n = shape.reduce((p, d) => p * d, 1);
  const before = tf.memory().numTensors;
  const x = tf.tensor(randn(n, 1, 2), shape), w = tf.tensor(randn(n, 2), shape);
  const a = tf.tensor(randn(C, 3, 0.3)), g = tf.tensor(randn(C, 4, 0.5, 1)), s = tf.tensor(randn(C, 5, 0.5));
  const { value, grads } = tf.valueAndGrads((...v: tf.Tensor[]) => tf.sum(tf.mul(dice(v[0]!, v[1]!, v[2]!, v[3]!), w)))([x, a, g, s]);
  const y = tf.tidy(() => dice(x, a, g, s));
  const out = await Promise.all([y, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, w, a, g, s, value, y, ...grads]);
  expect(tf.memory().numTensors, 'no tensor leaks').toBe(before);
  return out;
}

describe.skipIf(!gemm)(`fused Dice${gemm ? '' : ` [SKIPPED: ${why}]`}`, () => {
  for (const shape of [[37, 16], [8, 10, 64]]) {
    it(`equals the op chain forward and in all four gradients, x ${JSON.stringify(shape)}`, async () => {
      await initBackend('cpu');
      const ref = await run(shape, diceChain);
      await initBackend('wasm');
      expect(fusedDiceAvailable()).toBe(true);
      const got = await run(shape, fusedDice);
      const names = ['y', 'dx', 'dalpha', 'dgain', 'dshift'];
      names.forEach((k, i) => expect(maxRelErr(got[i]!, ref[i]!), k).toBeLessThan(i === 0 ? 1e-5 : 1e-4));
    });
  }
});
