// BinLLM's code model (cf/hash-mf.ts): sign with +1 at 0 and a straight-through gradient, the beta
// schedule of hashGNN_ml.py, the training-time mix of tanh and binary values, codes read back as bits,
// training through the CF runner (resumable, named as a --cf-run), no tensor leaks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { disposeCFBatch, toCFBatch } from '../../src/cf/batch';
import { currentBeta, HASH_MF, hashBeta, hashCodeBits, signST } from '../../src/cf/hash-mf';
import { cfSpec, CF_TRAIN_PRESETS } from '../../src/cf/registry';
import { cfLoss, makeCFTrainConfig, trainEpoch } from '../../src/cf/train';
import type { CFModel } from '../../src/cf/types';
import { initAdamState, disposeAdamState } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { makeRowBatch } from '../../src/data/batching';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import { plantedSplit } from '../cf/helpers';

const dims = { nUsers: 30, nItems: 40 };
const dispose = (m: CFModel) => tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);
let tmp: string;
beforeAll(async () => {
  await initBackend('wasm');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-hash-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('hash-mf', () => {
  it('signs with +1 at 0 and passes the gradient straight through', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([-2, -1e-7, 0, 1e-7, 3]);
    const w = tf.tensor1d([1, 2, 3, 4, 5]);
    const s = signST(x);
    expect(Array.from(s.dataSync())).toEqual([-1, -1, 1, 1, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(signST(t), w)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4, 5]);
    tf.dispose([x, w, s, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('raises beta by betaStep after every even epoch, capped at 1', () => {
    expect([0, 1, 2, 3, 4, 5].map((e) => hashBeta(e, 0.02))).toEqual([0, 0.02, 0.02, 0.04, 0.04, 0.06]);
    expect(hashBeta(1000, 0.02)).toBe(1);
    expect(hashBeta(2001, 0.001)).toBe(1);
    expect(hashBeta(101, 0.001)).toBeCloseTo(0.051, 12);
  });

  it('has the official defaults and preset, and validates its config', () => {
    const c = HASH_MF.makeConfig({}, dims);
    expect(c).toMatchObject({ dEmb: 32, initStd: 1, betaStep: 0.001, maxHistory: 0 });
    expect(CF_TRAIN_PRESETS['hash-mf']).toEqual({ lr: 1e-2, weightDecay: 1e-3, batchSize: 2048, patience: 100 });
    expect(cfSpec('hash-mf')).toBe(HASH_MF);
    expect(() => HASH_MF.makeConfig({ betaStep: 0 }, dims)).toThrow(/betaStep/);
  });

  it('scores codes in eval, tanh values at beta 0 and codes at beta 1 in training, without leaks', () => {
    const split = plantedSplit(dims.nUsers, dims.nItems, 200, 1);
    const m = HASH_MF.init(HASH_MF.makeConfig({ dEmb: 8 }, dims), makeRng(1), split);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4, 5], 0, dims.nItems));
    const before = tf.memory().numTensors;
    const evalMode = { training: false, seed: 0 }, trainMode = { training: true, seed: 7 };
    const u = HASH_MF.userRepr(m, b, evalMode), i = HASH_MF.itemRepr(m, b, evalMode);
    expect(Array.from(u.dataSync()).every((v) => v === 1 || v === -1)).toBe(true);
    const codeDot = tf.tidy(() => Array.from(tf.sum(tf.mul(u, i), -1).dataSync()));
    expect(tf.tidy(() => Array.from(HASH_MF.score(m, b, evalMode).dataSync()))).toEqual(codeDot);
    const tanhDot = tf.tidy(() => {
      const zu = tf.tanh(tf.add(tf.matMul(tf.gather(m.params['userEmb']!, b.userIdx), m.params['projU.weight']!), m.params['projU.bias']!));
      const zi = tf.tanh(tf.add(tf.matMul(tf.gather(m.params['itemEmb']!, b.itemIdx), m.params['projI.weight']!), m.params['projI.bias']!));
      return Array.from(tf.sum(tf.mul(zu, zi), -1).dataSync());
    });
    expect(currentBeta(m)).toBe(0);
    tf.tidy(() => Array.from(HASH_MF.score(m, b, trainMode).dataSync())).forEach((v, k) => expect(v).toBeCloseTo(tanhDot[k]!, 5));
    HASH_MF.startEpoch!(m, 10_000);
    expect(currentBeta(m)).toBe(1);
    expect(tf.tidy(() => Array.from(HASH_MF.score(m, b, trainMode).dataSync()))).toEqual(codeDot);
    // in between, each element is one or the other: the score differs from both
    HASH_MF.startEpoch!(m, 2 * 500 - 1); // beta 0.5 at betaStep 0.001
    const mixed = tf.tidy(() => Array.from(HASH_MF.score(m, b, trainMode).dataSync()));
    expect(mixed).not.toEqual(codeDot);
    // the codes read back as 0/1 bits agree with the representations
    const bits = hashCodeBits(m);
    expect(bits.user.length).toBe(dims.nUsers * 8);
    const uIdx = b.userIdx.dataSync(), uv = u.dataSync();
    for (let r = 0; r < 6; r++) for (let k = 0; k < 8; k++) expect(bits.user[uIdx[r]! * 8 + k]).toBe(uv[r * 8 + k] === 1 ? 1 : 0);
    tf.dispose([u, i]);
    expect(tf.memory().numTensors).toBe(before);
    disposeCFBatch(b);
    dispose(m);
  });

  it('sends a gradient through the codes to every parameter and lowers the loss', async () => {
    const split = plantedSplit(dims.nUsers, dims.nItems, 600, 1);
    const m = HASH_MF.init(HASH_MF.makeConfig({ dEmb: 8, betaStep: 0.2 }, dims), makeRng(2), split);
    HASH_MF.startEpoch!(m, 5); // beta 0.6: both paths in use
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4, 5, 6, 7], 0, dims.nItems));
    const vars = Object.values(m.params);
    const { value, grads } = tf.variableGrads(() => cfLoss(HASH_MF, m, b, { training: true, seed: 1 }), vars);
    for (const v of vars) expect(tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    disposeCFBatch(b);
    const cfg = makeCFTrainConfig({ lr: 0.05, weightDecay: 0, batchSize: 64 });
    const st = initAdamState(m.params);
    const first = await trainEpoch(HASH_MF, m, split, cfg, st, makeRng(5));
    const before = tf.memory().numTensors;
    let last = first;
    for (let e = 0; e < 6; e++) last = await trainEpoch(HASH_MF, m, split, cfg, st, makeRng(6 + e));
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first * 0.8);
    disposeAdamState(st);
    dispose(m);
  });

  it('trains through the CF runner with the beta schedule and writes a finished run', async () => {
    const exp = makeCFExperiment({ dataset: 'synthetic-tiny', model: 'hash-mf', seed: 0, backend: 'wasm', train: { maxEpochs: 4, patience: 4 }, modelOptions: { dEmb: 16, betaStep: 0.25 } });
    const epochs: number[] = [], orig = HASH_MF.startEpoch!;
    (HASH_MF as { startEpoch?: typeof orig }).startEpoch = (m, e) => { epochs.push(e); orig(m, e); };
    const before = tf.memory().numTensors;
    const r = await runCFExperiment(exp, { outDir: path.join(tmp, 'hash') }).finally(() => { (HASH_MF as { startEpoch?: typeof orig }).startEpoch = orig; });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs).toEqual([0, 1, 2, 3]);
    expect(r.model).toBe('hash-mf');
    expect(r.training.epochsRun).toBe(4);
    expect(r.resolved.model).toMatchObject({ dEmb: 16, betaStep: 0.25 });
    expect(r.test.auc).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(tmp, 'hash', 'best.safetensors'))).toBe(true);
  }, 120_000);
});
