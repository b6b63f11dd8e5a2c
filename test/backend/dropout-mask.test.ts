// Seeded dropout masks: the native kernel (written into the wasm heap, split across threads) equals the
// JS loop bit for bit at every rate and size, on 1 and 2 threads, and the cpu-backend fallback too; the
// integer keep threshold decides exactly as the old floating-point comparison did; no tensor leaks.
// The native cases are skipped when the addon is absent (CFLLM_NATIVE=0 pass).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { dropoutMask, nativeDropoutMaskAvailable } from '../../src/backend/dropout-mask';
import { loadNativeGemm } from '../../src/backend/native-gemm';
import { dropoutMaskParams, seededDropoutMask } from '../../src/core/dropout-mask';

const { gemm, why } = loadNativeGemm();
const threadsBefore = gemm?.getThreads() ?? 1;
const RATES = [1e-9, 0.1, 0.2, 0.5, 0.9, 0.99];
// 1 and 7: tails; 600_001 is above the per-thread minimum, so 2 threads split it unevenly
const SIZES = [1, 7, 1000, 600_001];

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

async function maskOn(shape: number[], rate: number, seed: string): Promise<Float32Array> {
  const before = tf.memory().numTensors;
  const m = dropoutMask(shape, rate, seed);
  expect(m.shape).toEqual(shape);
  const v = (await m.data()) as Float32Array;
  m.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return v;
}

describe('dropout mask parameters', () => {
  it('the integer threshold keeps a draw exactly when the floating-point rule did', () => {
    for (const rate of [...RATES, 0.3, 1 / 3, 0.25]) {
      const { threshold } = dropoutMaskParams(rate, 'x');
      const limit = (1 - rate) * 4294967296;
      for (const u of [0, 1, Math.floor(limit) - 1, Math.floor(limit), Math.ceil(limit), Math.ceil(limit) + 1, 4294967295]) {
        if (u < 0 || u > 4294967295) continue;
        expect(u < threshold, `rate ${rate}, draw ${u}`).toBe(u < limit);
      }
    }
  });

  it('keeps about 1 - rate of the elements, at 1 / (1 - rate), and the seed string decides the mask', () => {
    const m = seededDropoutMask(100_000, 0.2, '7:emb');
    const kept = m.filter((x) => x !== 0);
    expect(kept.length / m.length).toBeGreaterThan(0.79);
    expect(kept.length / m.length).toBeLessThan(0.81);
    expect(kept.every((x) => x === Math.fround(1 / 0.8))).toBe(true);
    expect(sameBits(seededDropoutMask(1000, 0.2, '7:emb'), m.subarray(0, 1000))).toBe(true);
    expect(sameBits(seededDropoutMask(1000, 0.2, '8:emb'), m.subarray(0, 1000))).toBe(false);
  });
});

describe('dropout mask tensors', () => {
  it('on the cpu backend equal the JS loop', async () => {
    await initBackend('cpu');
    for (const rate of RATES) expect(sameBits(await maskOn([3, 5], rate, `s${rate}`), seededDropoutMask(15, rate, `s${rate}`))).toBe(true);
  });

  describe.skipIf(!gemm)(`natively, into the wasm heap${gemm ? '' : ` [SKIPPED: ${why}]`}`, () => {
    afterAll(() => gemm?.setThreads(threadsBefore));

    it('equal the JS loop bit for bit at every rate and size, on 1 and 2 threads', async () => {
      await initBackend('wasm');
      expect(nativeDropoutMaskAvailable()).toBe(true);
      for (const threads of [1, 2]) {
        gemm!.setThreads(threads);
        for (const n of SIZES) {
          for (const rate of RATES) {
            const seed = `${n}:${rate}:site`;
            expect(sameBits(await maskOn([n], rate, seed), seededDropoutMask(n, rate, seed)), `n ${n}, rate ${rate}, ${threads} threads`).toBe(true);
          }
        }
      }
    });

    it('keep the shape of a 3-d mask and the gradient of x * mask is the mask', async () => {
      await initBackend('wasm');
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([4, 3, 5]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, dropoutMask([4, 3, 5], 0.5, 'g'))))(x);
      expect(sameBits((await g.data()) as Float32Array, seededDropoutMask(60, 0.5, 'g'))).toBe(true);
      tf.dispose([x, g]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
