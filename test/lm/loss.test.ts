// crossEntropy equals the textbook value and tfjs's own gradient, ignores negative targets, leaks nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { crossEntropy } from '../../src/lm/loss';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('crossEntropy', () => {
  it('matches -log softmax at the target, and the gradient of the plain formula', () => {
    const x = tf.variable(tf.tensor2d([[1, 2, 3], [0, 0, 0], [2, -1, 0.5]]));
    const y = tf.tensor1d([2, 0, 1], 'int32');
    const rows = x.arraySync() as number[][];
    const expected = [0, 1, 2].map((r) => {
      const lse = Math.log(rows[r]!.reduce((a, v) => a + Math.exp(v), 0));
      return lse - rows[r]![[2, 0, 1][r]!]!;
    }).reduce((a, b) => a + b, 0) / 3;
    const ours = tf.variableGrads(() => crossEntropy(x, y), [x]);
    const plain = tf.variableGrads(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(y, 3)), 1))) as tf.Scalar, [x]);
    expect(ours.value.dataSync()[0]).toBeCloseTo(expected, 5);
    const a = ours.grads[x.name]!.dataSync(), b = plain.grads[x.name]!.dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
    tf.dispose([ours.value, plain.value, ...Object.values(ours.grads), ...Object.values(plain.grads), x, y]);
  });
  it('ignores rows with a negative target and leaks no tensors', () => {
    const x = tf.variable(tf.tensor2d([[1, 2], [5, -5]]));
    const y = tf.tensor1d([1, -1], 'int32');
    const before = tf.memory().numTensors;
    const g = tf.variableGrads(() => crossEntropy(x, y), [x]);
    expect(g.value.dataSync()[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2)) - 2, 5);
    expect(Array.from(g.grads[x.name]!.dataSync()).slice(2)).toEqual([0, 0]);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
