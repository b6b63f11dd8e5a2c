// segmentSum: same value and gradient as tfjs's unsortedSegmentSum, no leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { segmentSum } from '../../src/backend/segment-sum';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('segmentSum', () => {
  it('matches unsortedSegmentSum in value and gradient', () => {
    const x = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]));
    const ids = tf.tensor1d([2, 0, 2, 3], 'int32');
    const w = tf.tensor2d([1, -1, 2, 0.5, 3, 1, -2, 4], [4, 2]);
    const ours = tf.variableGrads(() => tf.sum(tf.mul(segmentSum(x, ids, 4), w)), [x]);
    const ref = tf.variableGrads(() => tf.sum(tf.mul(tf.unsortedSegmentSum(x, ids, 4), w)), [x]);
    expect(ours.value.arraySync()).toBeCloseTo(ref.value.arraySync() as number, 5);
    expect(Array.from(ours.grads[x.name]!.dataSync())).toEqual(Array.from(ref.grads[x.name]!.dataSync()));
    // d/dx of sum(w * S x) = w[ids]
    expect(ours.grads[x.name]!.arraySync()).toEqual([[3, 1], [1, -1], [3, 1], [-2, 4]]);
    tf.dispose([ours.value, ref.value, ...Object.values(ours.grads), ...Object.values(ref.grads), ids, w, x]);
  });
  it('leaks no tensors', () => {
    const x = tf.variable(tf.randomNormal([50, 8]) as tf.Tensor2D);
    const ids = tf.tensor1d(Array.from({ length: 50 }, (_, i) => i % 7), 'int32');
    const before = tf.memory().numTensors;
    const g = tf.variableGrads(() => tf.sum(segmentSum(x, ids, 7)), [x]);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ids]);
  });
});
