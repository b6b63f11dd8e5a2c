// ownedVariable frees its initial value: one tensor per variable, none left after disposing it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { ownedVariable } from '../../src/core/variable';

beforeAll(async () => { await initBackend('cpu'); });

describe('ownedVariable', () => {
  it('keeps the values, frees the initial tensor and leaves nothing after dispose', () => {
    const before = tf.memory().numTensors;
    const v = ownedVariable(tf.tensor2d([[1, 2], [3, 4]]));
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(v.dataSync())).toEqual([1, 2, 3, 4]);
    expect(v.trainable).toBe(true);
    v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it('makes frozen variables on request', () => {
    const v = ownedVariable(tf.zeros([3]), false);
    expect(v.trainable).toBe(false);
    v.dispose();
  });
});
