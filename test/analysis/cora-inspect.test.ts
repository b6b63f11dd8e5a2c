// CoRA weight inspection on a tiny random decoder and an untrained MF: cosines of the flattened W_ui
// match a hand computation (unit diagonal, symmetric), per-sample statistics agree with coraWeights and
// coraDeltaNorms, grid similarity splits pairs by shared user / item as written out by hand; no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import { cfSpec } from '../../src/cf/registry';
import type { CFModel } from '../../src/cf/types';
import { coraDeltaNorms, coraWeights } from '../../src/analysis/cora-delta';
import { coraGeneratorSummary, gridSimilarity, inspectCoraWeights } from '../../src/analysis/cora-inspect';
import { generatorParamCount } from '../../src/cora/generator';
import { coraMethod, makeCoraOptions, type CoraMethod } from '../../src/cora/method';
import { syntheticWorld } from '../../src/data/synthetic';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import type { LlamaModel } from '../../src/llm/weights';
import { disposeLlama } from '../../src/llm/weights';

const ds = syntheticWorld('tiny');
const split = ds.splits.test;
const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const spec = cfSpec('mf');
let llm: LlamaModel, mf: CFModel, method: CoraMethod;
beforeAll(async () => {
  await initBackend('wasm');
  llm = randomLlama(cfg, 3, { std: 0.3 });
  mf = spec.init(spec.makeConfig({ dEmb: 8 }, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  method = coraMethod(llm, 5, { spec, model: mf }, makeCoraOptions({ rank: 4, alpha: 8, dropout: 0 }, 'mf'), 1);
  Object.values(method.perSample.params).forEach((v, i) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 10 + i))));
});
afterAll(() => {
  method.dispose();
  tf.dispose([...Object.values(mf.params), ...Object.values(mf.buffers)]);
  disposeLlama(llm);
});

describe('inspectCoraWeights', () => {
  it('gives the cosines of the flattened W_ui and per-sample statistics, without leaks', () => {
    const rows = [0, 2, 5, 9];
    const before = tf.memory().numTensors;
    const rep = inspectCoraWeights(method, split, rows);
    expect(tf.memory().numTensors).toBe(before);
    const w = coraWeights(method, split, rows); // [4, 16, 4]
    const flat = Array.from({ length: 4 }, (_, b) => Array.from(w.dataSync().subarray(b * 64, (b + 1) * 64)));
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        const want = dot(flat[a]!, flat[b]!) / Math.sqrt(dot(flat[a]!, flat[a]!) * dot(flat[b]!, flat[b]!));
        expect(Math.abs(rep.cosine[a]![b]! - want), `${a},${b}`).toBeLessThan(1e-5);
      }
      expect(Math.abs(rep.cosine[a]![a]! - 1)).toBeLessThan(1e-5);
    }
    const mean = flat[0]!.map((_, j) => flat.reduce((a, f) => a + f[j]!, 0) / 4);
    const centred = flat.map((f) => f.map((x, j) => x - mean[j]!));
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        const want = dot(centred[a]!, centred[b]!) / Math.sqrt(dot(centred[a]!, centred[a]!) * dot(centred[b]!, centred[b]!));
        expect(Math.abs(rep.centredCosine[a]![b]! - want), `centred ${a},${b}`).toBeLessThan(1e-4);
      }
    }
    // unit-norm rows: ||mean||^2 / 1
    expect(Math.abs(rep.commonShare - dot(mean, mean))).toBeLessThan(1e-5);
    const norms = coraDeltaNorms(method, w);
    w.dispose();
    rep.samples.forEach((s, b) => {
      expect([s.row, s.userIdx, s.itemIdx]).toEqual([rows[b], split.userIdx[rows[b]!], split.itemIdx[rows[b]!]]);
      expect(Math.abs(s.norm - 1)).toBeLessThan(1e-5); // the generator normalises W_ui
      expect(s.singularValues).toHaveLength(4);
      // sum of squared singular values = squared Frobenius norm
      expect(Math.abs(s.singularValues.reduce((a, x) => a + x * x, 0) - s.norm ** 2)).toBeLessThan(1e-4);
      expect(Math.abs(s.top1Share - s.singularValues[0]! ** 2 / s.norm ** 2)).toBeLessThan(1e-4);
      const mine = norms.filter((n) => n.sample === b);
      expect(Math.abs(s.meanUpdateNorm - mine.reduce((a, n) => a + n.norm, 0) / mine.length)).toBeLessThan(1e-6);
    });
  });
});

describe('coraGeneratorSummary', () => {
  it('lists sizes, rank, targets and parameter counts that add up to the method\'s trainable parameters', () => {
    const rows = coraGeneratorSummary(method);
    const v = (k: string) => rows.find((r) => r.setting === k)!.value;
    expect(v('dCf')).toBe(8);
    expect(v('W_ui')).toBe('[16, 4]');
    expect(v('rank r / alpha')).toBe('4 / 8');
    expect(v('targets')).toBe('q_proj, k_proj, v_proj, o_proj');
    expect(v('generator params')).toBe(generatorParamCount(method.generatorConfig));
    expect(v('trainable params')).toBe(Object.values(method.params).reduce((a, p) => a + p.size, 0));
  });
});

describe('gridSimilarity', () => {
  it('averages off-diagonal entries by shared user, shared item or neither', () => {
    // 2 users x 2 items, user-major: pairs (u0,i0) (u0,i1) (u1,i0) (u1,i1)
    const s = [
      [1, 0.9, 0.5, 0.1],
      [0.9, 1, 0.2, 0.6],
      [0.5, 0.2, 1, 0.8],
      [0.1, 0.6, 0.8, 1],
    ];
    const g = gridSimilarity(s, 2, 2);
    expect(g.sameUser).toBeCloseTo((0.9 + 0.8) / 2, 12);
    expect(g.sameItem).toBeCloseTo((0.5 + 0.6) / 2, 12);
    expect(g.neither).toBeCloseTo((0.1 + 0.2) / 2, 12);
    expect(gridSimilarity([[1, 0.3], [0.3, 1]], 1, 2)).toEqual({ sameUser: 0.3, sameItem: Number.NaN, neither: Number.NaN });
    expect(() => gridSimilarity(s, 3, 2)).toThrow(/\[6\]\[6\].*\[4\]\[4\]/);
  });
});
