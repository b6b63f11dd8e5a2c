// Weight-delta records on a tiny random decoder, an untrained MF and random P: the dense matrices are
// coraDelta/loraDelta's, spectra are the matrices' singular values (rank <= r), per-site norms summarise
// the samples, and the W_ui PCA carries each row's attributes; no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { frobeniusNorm, singularValues } from '../../src/analysis/linalg';
import { makeRng } from '../../src/core/rng';
import { cfSpec } from '../../src/cf/registry';
import type { CFModel } from '../../src/cf/types';
import { coraDelta, coraDeltaNorms, coraWeights } from '../../src/analysis/cora-delta';
import { coraMethod, makeCoraOptions, type CoraMethod } from '../../src/cora/method';
import { sampleSplit, subsetSplit } from '../../src/data/subset';
import { syntheticWorld } from '../../src/data/synthetic';
import { initLora, type Lora } from '../../src/llm/adapters';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { loraDeltaNorms } from '../../src/analysis/lora-delta';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { activitySpanPairs, coraDeltaMatrices, coraMeanDeltaMatrices, deltaDeviations, loraDeltaMatrices, siteLabel, siteNormRows, spectrumRecords, wuiProjection } from '../../src/analysis/delta-report';

const ds = syntheticWorld('tiny');
const split = ds.splits.test;
const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const spec = cfSpec('mf');
const sites = [{ layer: 0, proj: 'q_proj' as const }, { layer: 1, proj: 'v_proj' as const }];
let llm: LlamaModel, mf: CFModel, cora: CoraMethod, lora: Lora;
beforeAll(async () => {
  await initBackend('wasm');
  llm = randomLlama(cfg, 3, { std: 0.3 });
  mf = spec.init(spec.makeConfig({ dEmb: 8 }, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  cora = coraMethod(llm, 5, { spec, model: mf }, makeCoraOptions({ rank: 3, alpha: 6, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'], dropout: 0 }, 'mf'), 1);
  Object.values(cora.perSample.params).forEach((v, i) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 10 + i))));
  lora = initLora(llm, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'v_proj'] }, 0);
  Object.entries(lora.params).forEach(([k, v], i) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 30 + i))); });
});
afterAll(() => {
  cora.dispose();
  tf.dispose([...Object.values(mf.params), ...Object.values(mf.buffers), ...Object.values(lora.params)]);
  disposeLlama(llm);
});

describe('coraDeltaMatrices / loraDeltaMatrices', () => {
  it('hold coraDelta of each row at each site (rows outer) and loraDelta per site, without leaks', () => {
    const before = tf.memory().numTensors;
    const mats = coraDeltaMatrices(cora, split, [4, 9], sites, ['a', 'b']);
    const lm = loraDeltaMatrices(lora, sites, 'LoRA');
    expect(tf.memory().numTensors).toBe(before);
    expect(mats.map((m) => `${m.label} ${siteLabel(m)} ${m.rows}x${m.cols}`)).toEqual(['a L0 q_proj 16x16', 'a L1 v_proj 8x16', 'b L0 q_proj 16x16', 'b L1 v_proj 8x16']);
    const w = coraWeights(cora, split, [9]);
    const d = coraDelta(cora, w, 1, 'v_proj');
    expect(Array.from(mats[3]!.data)).toEqual(Array.from(d.dataSync()));
    tf.dispose([w, d]);
    expect(lm.map((m) => `${m.label} ${siteLabel(m)} ${m.rows}x${m.cols}`)).toEqual(['LoRA L0 q_proj 16x16', 'LoRA L1 v_proj 8x16']);
    expect(frobeniusNorm(lm[1]!)).toBeCloseTo(loraDeltaNorms(lora).find((n) => n.layer === 1 && n.proj === 'v_proj')!.norm, 4);
    expect(() => coraDeltaMatrices(cora, split, [1, 2], sites, ['one'])).toThrow(/1 labels for 2 rows/);
  });
});

describe('coraMeanDeltaMatrices / deltaDeviations', () => {
  it('the mean update is the mean of the rows\' updates; deviations subtract it per site, without leaks', () => {
    const rows = [2, 5, 11];
    const sub = subsetSplit(split, rows);
    const before = tf.memory().numTensors;
    const mean = coraMeanDeltaMatrices(cora, sub, sites, 'mean');
    const each = coraDeltaMatrices(cora, split, rows, sites);
    expect(tf.memory().numTensors).toBe(before);
    expect(mean.map((m) => `${m.label} ${siteLabel(m)}`)).toEqual(['mean L0 q_proj', 'mean L1 v_proj']);
    const v = mean[1]!.data;
    for (const i of [0, 7, v.length - 1]) expect(v[i]).toBeCloseTo((each[1]!.data[i]! + each[3]!.data[i]! + each[5]!.data[i]!) / 3, 6);
    const dev = deltaDeviations(each, mean);
    expect(dev.map((d) => `${d.label} ${siteLabel(d)}`)).toEqual(each.map((m) => `${m.label} ${siteLabel(m)}`));
    expect(dev[2]!.data[3]).toBeCloseTo(each[2]!.data[3]! - mean[0]!.data[3]!, 7);
    expect(dev[2]!.relativeNorm).toBeCloseTo(frobeniusNorm(dev[2]!) / frobeniusNorm(each[2]!), 5);
    expect(deltaDeviations([each[0]!], [each[0]!])[0]!.relativeNorm).toBe(0);
    expect(() => deltaDeviations([each[1]!], [mean[0]!])).toThrow(/no reference at L1 v_proj/);
  });
});

describe('spectrumRecords', () => {
  it('lists the leading singular values down to numerical zeros (a rank-r update has r)', () => {
    const mats = coraDeltaMatrices(cora, split, [4], sites);
    const pts = spectrumRecords(mats, { k: 10 });
    const q = pts.filter((p) => p.site === 'L0 q_proj');
    expect(q.map((p) => p.k)).toEqual([1, 2, 3]);
    const sv = singularValues(mats[0]!);
    q.forEach((p, i) => expect(p.sigma).toBeCloseTo(sv[i]!, 6));
    expect(q[0]!.relative).toBe(1);
    expect(q[0]!.series).toBe('row 4 · L0 q_proj');
    expect(spectrumRecords(mats, { k: 2 }).filter((p) => p.site === 'L1 v_proj')).toHaveLength(2);
    const zero = { label: 'z', layer: 0, proj: 'q_proj' as const, rows: 2, cols: 2, data: new Float32Array(4) };
    expect(spectrumRecords([zero], { k: 2 })).toEqual([]);
  });
});

describe('siteNormRows', () => {
  it('averages per-sample norms per site and passes single LoRA norms through', () => {
    const w = coraWeights(cora, split, [1, 2, 3]);
    const rows = siteNormRows(coraDeltaNorms(cora, w), 'CoRA');
    w.dispose();
    expect(rows.map((r) => r.site)).toEqual(['L0 q_proj', 'L0 k_proj', 'L0 v_proj', 'L0 o_proj', 'L1 q_proj', 'L1 k_proj', 'L1 v_proj', 'L1 o_proj']);
    expect(rows.every((r) => r.samples === 3 && r.min <= r.norm && r.norm <= r.max && r.sd >= 0)).toBe(true);
    const hand = siteNormRows([{ layer: 0, proj: 'q_proj', norm: 1 }, { layer: 0, proj: 'q_proj', norm: 3 }, { layer: 1, proj: 'q_proj', norm: 2 }], 'm');
    expect(hand).toEqual([
      { method: 'm', site: 'L0 q_proj', layer: 0, proj: 'q_proj', norm: 2, sd: Math.SQRT2, min: 1, max: 3, samples: 2 },
      { method: 'm', site: 'L1 q_proj', layer: 1, proj: 'q_proj', norm: 2, sd: 0, min: 2, max: 2, samples: 1 },
    ]);
    expect(siteNormRows(loraDeltaNorms(lora), 'LoRA').map((r) => [r.site, r.samples])).toEqual([['L0 q_proj', 1], ['L0 v_proj', 1], ['L1 q_proj', 1], ['L1 v_proj', 1]]);
  });
});

describe('wuiProjection', () => {
  it('projects every row\'s W_ui to 2-D with its attributes, grouped by genre and activity, without leaks', () => {
    const sample = sampleSplit(split, 40, 3);
    const before = tf.memory().numTensors;
    const p = wuiProjection(cora, ds, sample, { topGenres: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(p.points).toHaveLength(40);
    expect(p.points[5]).toMatchObject({ row: 5, userIdx: sample.userIdx[5], itemIdx: sample.itemIdx[5], genre: ds.items[sample.itemIdx[5]!]!.genres[0] ?? '(none)' });
    expect(p.explained[0]).toBeGreaterThanOrEqual(p.explained[1]);
    expect(p.explained[0] + p.explained[1]).toBeLessThanOrEqual(1 + 1e-9);
    expect(p.byGenre.length).toBeLessThanOrEqual(4);
    expect(p.byGenre.reduce((a, g) => a + g.x.length, 0)).toBe(40);
    expect(p.byActivity.reduce((a, g) => a + g.x.length, 0)).toBe(40);
    const g = p.byActivity[0]!;
    expect(g.x).toHaveLength(g.text.length);
    // least active bucket first
    const lowest = Math.min(...p.points.map((q) => q.userTrainRows));
    expect(p.points.filter((q) => q.userTrainRows === lowest).every((q) => q.activity === g.name)).toBe(true);
  });
});

describe('activitySpanPairs', () => {
  it('labels rows spanning the users\' activity', () => {
    const { rows, labels, attributes } = activitySpanPairs(ds, split, 3);
    expect(rows).toHaveLength(3);
    expect(attributes.map((a) => a.row)).toEqual(rows);
    expect(attributes[0]!.userTrainRows).toBeLessThanOrEqual(attributes[2]!.userTrainRows);
    expect(labels[1]).toBe(`pair 2 (${attributes[1]!.userTrainRows} train rows)`);
  });
});
