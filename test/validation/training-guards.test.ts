// Issue 16, training guards: a loss far above its early level stops with a "diverged" error naming the
// learning rate and epoch; a parameter that became NaN/Infinity in an epoch's last update (its loss was
// still finite) stops the loop before validation, naming the parameter; a NaN validation metric stops it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { firstNonFiniteParameter, NonFiniteParameter } from '../../src/core/finite';
import { disposeAdamState, initAdamState } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { runEpochLoop, TrainingDiverged, type LoopConfig } from '../../src/core/train';
import { MF } from '../../src/cf/mf';
import { makeCFTrainConfig, trainEpoch } from '../../src/cf/train';
import type { CFCommonConfig, CFSpec } from '../../src/cf/types';
import { plantedSplit } from '../cf/helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Runs the loop over scripted epoch losses (a function may throw); valid = 0.5 + epoch / 100 unless given. */
async function scripted(losses: (number | (() => number))[], cfg: Partial<LoopConfig> = {}, valid?: (e: number) => number) {
  const validated: number[] = [];
  const result = await runEpochLoop({ maxEpochs: losses.length, patience: 100, ...cfg }, {
    trainEpoch: async (e) => {
      const l = losses[e]!;
      return typeof l === 'function' ? l() : l;
    },
    validate: async (e) => {
      validated.push(e);
      return valid ? valid(e) : 0.5 + e / 100;
    },
    onBest: async () => undefined,
    onEpochEnd: async () => undefined,
  });
  return { result, validated };
}

describe('divergence check', () => {
  const diverging: [string, number[], Partial<LoopConfig>, string][] = [
    ['SASRec at --lr 10 (139 -> 1292)', [139, 180, 400, 1292], { lr: 10 }, 'training diverged in epoch 3 (learning rate 10): mean loss 1292, more than 4x its lowest (139.0 in epoch 0'],
    ['a loss that jumps after falling', [1, 0.4, 0.45, 2.1], { lr: 0.5 }, 'training diverged in epoch 3 (learning rate 0.5)'],
    ['no lr given', [1, 5], {}, 'training diverged in epoch 1: mean loss 5.000'],
    ['a stricter factor', [1, 2.5], { divergenceFactor: 2 }, 'more than 2x its lowest'],
  ];
  it.each(diverging)('%s', async (_name, losses, cfg, fragment) => {
    const p = scripted(losses, cfg);
    await expect(p).rejects.toThrow(TrainingDiverged);
    await expect(scripted(losses, cfg)).rejects.toThrow(fragment);
    await expect(scripted(losses, cfg)).rejects.toThrow('lower the learning rate (--lr) and start the run again with --fresh');
  });
  const healthy: [string, number[], Partial<LoopConfig>][] = [
    ['falling loss', [1, 0.5, 0.3, 0.2], {}],
    ['a bump under 4x', [1, 0.5, 1.9], {}],
    ['a late rise still below the first epoch', [0.7, 0.01, 0.06], {}],
    ['check switched off', [1, 100], { divergenceFactor: 0 }],
    ['a single epoch', [1e9], {}],
  ];
  it.each(healthy)('%s trains on', async (_name, losses, cfg) => {
    const { result } = await scripted(losses, cfg);
    expect(result.history.length).toBe(losses.length);
  });
});

describe('NaN guard', () => {
  it('stops before validation when a parameter became non-finite in the last update, naming it', async () => {
    const { result, validated } = await scripted([0.7, () => { throw new NonFiniteParameter('itemEmb'); }], { lr: 10 });
    expect(result.stoppedBy).toBe('nonFiniteLoss');
    expect(result.message).toBe('parameter "itemEmb" holds NaN or Infinity after the last update of epoch 1 (learning rate 10); kept the best checkpoint from epoch 0');
    expect(validated).toEqual([0]);
  });
  it('still stops on a NaN loss, naming the epoch and lr', async () => {
    const { result } = await scripted([0.7, NaN], { lr: 3 });
    expect(result.message).toContain('training loss became NaN in epoch 1 (learning rate 3)');
  });
  it('stops on a NaN validation metric instead of skipping the epoch silently', async () => {
    const { result } = await scripted([0.7, 0.6], {}, (e) => (e === 1 ? NaN : 0.6));
    expect(result.stoppedBy).toBe('nonFiniteLoss');
    expect(result.message).toContain('the validation metric is NaN after epoch 1');
    expect(result.bestEpoch).toBe(0);
  });
  it('finds the first non-finite tensor without leaking', async () => {
    const p = { a: tf.tensor1d([1, 2]), b: tf.tensor2d([[1, Infinity]]), c: tf.tensor1d([NaN]) };
    const before = tf.memory().numTensors;
    expect(await firstNonFiniteParameter(p)).toBe('b');
    expect(await firstNonFiniteParameter({ a: p.a })).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(p));
  });
  it('a CF epoch whose last update breaks a parameter throws NonFiniteParameter naming it', async () => {
    const spec = MF as unknown as CFSpec<CFCommonConfig>;
    const dims = { nUsers: 10, nItems: 12 };
    const split = plantedSplit(dims.nUsers, dims.nItems, 32, 3);
    const m = spec.init(spec.makeConfig({ dEmb: 4, initStd: 0.1 }, dims), makeRng(1), split);
    // one batch per epoch: its loss is computed before the update, and an infinite step makes the parameters NaN
    const cfg = { ...makeCFTrainConfig({ batchSize: 64, weightDecay: 0 }), lr: Infinity };
    const st = initAdamState(m.params);
    const before = tf.memory().numTensors;
    await expect(trainEpoch(spec, m, split, cfg, st, makeRng(2))).rejects.toThrow(/parameter "\w+" holds NaN or Infinity/);
    expect(tf.memory().numTensors).toBe(before);
    disposeAdamState(st);
    tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);
  });
});
