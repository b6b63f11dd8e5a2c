// MF and LightGCN: shapes, determinism, no tensor leaks, gradients reach every parameter, the loss
// falls on a planted problem, and LightGCN's graph is the symmetric-normalised positive adjacency.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { initAdamState, disposeAdamState } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { disposeCFBatch, toCFBatch } from '../../src/cf/batch';
import { LIGHTGCN, positiveGraph } from '../../src/cf/lightgcn';
import { MF } from '../../src/cf/mf';
import { cfLoss, makeCFTrainConfig, scoreSplit, trainEpoch } from '../../src/cf/train';
import { namedGrads } from '../../src/core/grads';
import type { CFCommonConfig, CFModel, CFSpec } from '../../src/cf/types';
import { makeRowBatch } from '../../src/data/batching';
import { plantedSplit } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const dims = { nUsers: 30, nItems: 40 };
const specs: Array<[string, CFSpec<CFCommonConfig>, Record<string, number>]> = [
  ['mf', MF as unknown as CFSpec<CFCommonConfig>, { dEmb: 8, initStd: 0.1 }],
  ['lightgcn', LIGHTGCN as unknown as CFSpec<CFCommonConfig>, { dEmb: 8 }],
];
const dispose = (m: CFModel) => tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);

describe.each(specs)('%s', (_name, spec, opts) => {
  const split = plantedSplit(dims.nUsers, dims.nItems, 600, 1);

  it('scores [B] and represents users/items as [B, dEmb] without leaking tensors', () => {
    const m = spec.init(spec.makeConfig(opts, dims), makeRng(1), split);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4], 0, dims.nItems));
    const before = tf.memory().numTensors;
    const s = spec.score(m, b, { training: false, seed: 0 });
    const u = spec.userRepr(m, b, { training: false, seed: 0 });
    const i = spec.itemRepr(m, b, { training: false, seed: 0 });
    expect(s.shape).toEqual([5]);
    expect(u.shape).toEqual([5, 8]);
    expect(i.shape).toEqual([5, 8]);
    // the score is the inner product of the two representations
    const dot = tf.tidy(() => tf.sum(tf.mul(u, i), -1).dataSync());
    Array.from(s.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(dot[k]!, 5));
    tf.dispose([s, u, i]);
    expect(tf.memory().numTensors).toBe(before);
    disposeCFBatch(b);
    dispose(m);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number) => {
      const m = spec.init(spec.makeConfig(opts, dims), makeRng(seed), split);
      const s = await scoreSplit(spec, m, split, 128);
      dispose(m);
      return Array.from(s);
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('sends a gradient to every parameter', () => {
    const m = spec.init(spec.makeConfig(opts, dims), makeRng(1), split);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4, 5, 6, 7], 0, dims.nItems));
    const vars = Object.values(m.params);
    const { value, grads } = tf.variableGrads(() => cfLoss(spec, m, b, { training: true, seed: 1 }), vars);
    for (const v of vars) expect(tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    disposeCFBatch(b);
    dispose(m);
  });

  it('lowers the training loss on a planted problem without leaking tensors per epoch', async () => {
    const m = spec.init(spec.makeConfig(opts, dims), makeRng(2), split);
    const cfg = makeCFTrainConfig({ lr: 0.05, weightDecay: 0, batchSize: 64 });
    const st = initAdamState(m.params);
    const first = await trainEpoch(spec, m, split, cfg, st, makeRng(5));
    const before = tf.memory().numTensors;
    let last = first;
    for (let e = 0; e < 5; e++) last = await trainEpoch(spec, m, split, cfg, st, makeRng(6 + e));
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first * 0.7);
    disposeAdamState(st);
    dispose(m);
  });

  it('rejects invalid configs with the offending value', () => {
    expect(() => spec.makeConfig({ ...opts, dEmb: 0 }, dims)).toThrow(/dEmb must be an integer >= 1, got 0/);
    expect(() => spec.makeConfig({ ...opts, bogus: 1 } as Record<string, number>, dims)).toThrow(/unknown field "bogus"/);
  });
});

describe('positiveGraph', () => {
  it('is D^-1/2 A D^-1/2 over distinct positive pairs, both directions', () => {
    const split = plantedSplit(2, 2, 0, 0);
    const s = {
      ...split, userIdx: Int32Array.from([0, 0, 1, 1, 0]), itemIdx: Int32Array.from([0, 1, 1, 0, 0]), label: Uint8Array.from([1, 1, 1, 0, 1]),
      histOffsets: new Int32Array(6),
    };
    const g = positiveGraph(s, 2, 2);
    // edges u0-i0, u0-i1, u1-i1 (the negative u1-i0 and the repeated u0-i0 are not edges); deg u0=2, u1=1, i0=1, i1=2
    expect(Array.from(g.src)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(Array.from(g.dst)).toEqual([2, 3, 3, 0, 0, 1]);
    const w = [1 / Math.sqrt(2 * 1), 1 / Math.sqrt(2 * 2), 1 / Math.sqrt(1 * 2)];
    Array.from(g.weight).forEach((v, k) => expect(v).toBeCloseTo(w[k % 3]!, 6));
  });
});

describe('MF hand-derived gradients', () => {
  it('equal autodiff of the training loss (rows repeating users and items included) and leak no tensors', () => {
    const split = plantedSplit(dims.nUsers, dims.nItems, 600, 2);
    const m = MF.init(MF.makeConfig({ dEmb: 8, initStd: 0.3 }, dims), makeRng(3), split);
    const rows = Array.from({ length: 200 }, (_, i) => i);
    const b = toCFBatch(makeRowBatch(split, rows, 0, dims.nItems));
    expect(new Set(Array.from(split.userIdx.slice(0, 200))).size).toBeLessThan(200);
    const mode = { training: true, seed: 0 };
    const before = tf.memory().numTensors;
    const fast = MF.lossAndGrads!(m, b, mode);
    const tape = namedGrads(() => cfLoss(MF as unknown as CFSpec<CFCommonConfig>, m as unknown as CFModel, b, mode), m.params);
    expect(fast.value.dataSync()[0]!).toBeCloseTo(tape.value.dataSync()[0]!, 6);
    for (const k of ['userEmb', 'itemEmb']) {
      const a = fast.grads[k]!.dataSync(), t = tape.grads[k]!.dataSync();
      expect(fast.grads[k]!.shape).toEqual(tape.grads[k]!.shape);
      let maxAbs = 0, maxDiff = 0;
      for (let i = 0; i < t.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(t[i]!)); maxDiff = Math.max(maxDiff, Math.abs(a[i]! - t[i]!)); }
      expect(maxAbs).toBeGreaterThan(1e-4);
      expect(maxDiff).toBeLessThan(1e-6 * Math.max(1, maxAbs));
    }
    tf.dispose([fast.value, tape.value, ...Object.values(fast.grads), ...Object.values(tape.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    disposeCFBatch(b);
    dispose(m as unknown as CFModel);
  });
});
