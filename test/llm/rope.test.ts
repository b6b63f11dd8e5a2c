// Rotary embeddings: position ids under left padding, the cos/sin tables, norm preservation, the
// relative-position property in both layouts, and the layouts' equivalence under the HF permutation.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { applyRope, positionIds, ropeInvFreq, ropeTables } from '../../src/llm/rope';
import { halfFromInterleavedRows, maxAbsDiff } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const CFG = { headDim: 8, ropeTheta: 100 };
const rope = (layout: 'half' | 'interleaved', x: tf.Tensor4D, pos: number[][]) => tf.tidy(() => applyRope(layout, x, ropeTables(CFG, tf.tensor2d(pos))));

describe('rotary embeddings', () => {
  it('count positions from each row\'s first real token', () => {
    expect(positionIds(tf.tensor2d([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])).arraySync()).toEqual([[0, 0, 0, 1, 2], [0, 1, 2, 3, 4]]);
  });
  it('build cos/sin of position * theta^(-2i/D)', () => {
    expect(Array.from(ropeInvFreq(8, 100).dataSync())).toEqual([1, 100 ** -0.25, 100 ** -0.5, 100 ** -0.75].map((v) => Math.fround(v)));
    const t = ropeTables(CFG, tf.tensor2d([[0, 3]]));
    expect(t.cos.shape).toEqual([1, 1, 2, 4]);
    expect(t.sin.dataSync()[4 + 1]).toBeCloseTo(Math.sin(3 * 100 ** -0.25), 6);
  });
  it.each(['half', 'interleaved'] as const)('%s: position 0 is the identity, rotations keep norms, and q.k depends only on the offset', (layout) => {
    const q = tf.randomNormal([1, 2, 3, 8], 0, 1, 'float32', 1) as tf.Tensor4D, k = tf.randomNormal([1, 2, 3, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(maxAbsDiff(rope(layout, q, [[0, 0, 0]]), q)).toBeLessThan(1e-7);
    const r = rope(layout, q, [[5, 11, 40]]);
    expect(maxAbsDiff(tf.norm(r, 'euclidean', -1), tf.norm(q, 'euclidean', -1))).toBeLessThan(1e-5);
    const dots = (pq: number[], pk: number[]) => tf.sum(tf.mul(rope(layout, q, [pq]), rope(layout, k, [pk])), -1);
    expect(maxAbsDiff(dots([7, 9, 20], [3, 9, 1]), dots([17, 30, 39], [13, 30, 20]))).toBeLessThan(1e-4);
    expect(maxAbsDiff(dots([7, 9, 20], [3, 9, 1]), dots([7, 9, 20], [4, 9, 1]))).toBeGreaterThan(1e-3);
  });
  it('the layouts agree once the head dimension is permuted (pair (2j, 2j+1) -> (j, j + D/2))', () => {
    const x = tf.randomNormal([2, 3, 4, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const perm = tf.tensor1d(halfFromInterleavedRows(1, 8), 'int32');
    const pos = [[0, 1, 2, 3], [5, 6, 9, 30]];
    expect(maxAbsDiff(tf.gather(rope('interleaved', x, pos), perm, 3), rope('half', tf.gather(x, perm, 3) as tf.Tensor4D, pos))).toBeLessThan(1e-5);
  });
  it('leave numTensors unchanged', () => {
    const x = tf.randomNormal([1, 2, 3, 8]) as tf.Tensor4D, p = tf.tensor2d([[0, 1, 2]]);
    const before = tf.memory().numTensors;
    const t = ropeTables(CFG, p);
    tf.dispose([applyRope('half', x, t), applyRope('interleaved', x, t), positionIds(p), t.cos, t.sin]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, p]);
  });
});
