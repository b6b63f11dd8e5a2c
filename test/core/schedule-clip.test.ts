// Warm-up + cosine values at known steps, and clipping by global norm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { clipByGlobalNorm } from '../../src/core/clip';
import { lrAt, makeWarmupCosine } from '../../src/core/schedule';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('warm-up + cosine', () => {
  const c = makeWarmupCosine({ peakLr: 1e-3, warmupStartLr: 1e-5, warmupSteps: 200, totalSteps: 1200, minLr: 8e-5 });
  it('rises linearly, peaks, and follows the half cosine to the floor', () => {
    expect(lrAt(c, 0)).toBeCloseTo(1e-5, 12);
    expect(lrAt(c, 100)).toBeCloseTo(1e-5 + (1e-3 - 1e-5) / 2, 12);
    expect(lrAt(c, 200)).toBeCloseTo(1e-3, 12);
    expect(lrAt(c, 700)).toBeCloseTo(8e-5 + 0.5 * (1e-3 - 8e-5), 12);
    expect(lrAt(c, 1200)).toBeCloseTo(8e-5, 12);
    expect(lrAt(c, 5000)).toBeCloseTo(8e-5, 12);
  });
  it('rejects a floor above the peak', () => {
    expect(() => makeWarmupCosine({ peakLr: 1e-4, totalSteps: 10, minLr: 1e-3 })).toThrow(/minLr/);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales to the max norm only when above it, and leaks nothing', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    const before = tf.memory().numTensors;
    const r = clipByGlobalNorm(g, 1);
    expect(r.norm).toBeCloseTo(5, 5);
    expect(Array.from(r.grads['a']!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
    expect(Array.from(r.grads['b']!.dataSync())).toEqual([0, expect.closeTo(0.8, 5)]);
    const r2 = clipByGlobalNorm(g, 10);
    expect(Array.from(r2.grads['a']!.dataSync())).toEqual([3, 0]);
    tf.dispose([...Object.values(r.grads), ...Object.values(r2.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const bad = clipByGlobalNorm({ x: tf.tensor1d([NaN]) }, 1);
    expect(Number.isNaN(bad.norm)).toBe(true);
  });
});
