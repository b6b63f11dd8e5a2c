// CoRA weight deltas on a tiny random decoder and an untrained MF: W_ui per row, the dense one-sample
// update reproduces the per-sample hook when added to the base weights, norms without materialising,
// and the broadcast hook reproduces the method's scores and drives the probes; no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { frobeniusNorm } from '../../src/analysis/linalg';
import { makeRng } from '../../src/core/rng';
import { cfSpec } from '../../src/cf/registry';
import type { CFModel } from '../../src/cf/types';
import { coraDelta, coraDeltaNorms, coraHookFor, coraWeights } from '../../src/analysis/cora-delta';
import { coraMethod, makeCoraOptions, type CoraMethod } from '../../src/cora/method';
import { syntheticWorld } from '../../src/data/synthetic';
import { perSampleHook, WEIGHT_OF } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits } from '../../src/llm/model';
import { perplexity } from '../../src/llm/perplexity';
import type { LlamaLayerWeights, LlamaModel } from '../../src/llm/weights';
import { disposeLlama } from '../../src/llm/weights';
import { continuationScores } from '../../src/lm/probes';
import { makePromptBatch } from '../../src/rec/batch';
import { yesLogits } from '../../src/rec/method';

const ds = syntheticWorld('tiny');
const split = ds.splits.train;
const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const spec = cfSpec('mf');
let llm: LlamaModel, mf: CFModel, method: CoraMethod, ids: tf.Tensor2D;
beforeAll(async () => {
  await initBackend('wasm');
  llm = randomLlama(cfg, 3, { std: 0.3 });
  mf = spec.init(spec.makeConfig({ dEmb: 8 }, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), split);
  method = coraMethod(llm, 5, { spec, model: mf }, makeCoraOptions({ rank: 4, alpha: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj'], dropout: 0 }, 'mf'), 1);
  Object.values(method.perSample.params).forEach((v, i) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 10 + i))));
  ids = tf.tensor2d([[1, 7, 3, 9, 2, 11], [4, 4, 8, 30, 1, 0], [39, 12, 5, 6, 7, 8]], [3, 6], 'int32');
});
afterAll(() => {
  method.dispose();
  tf.dispose([...Object.values(mf.params), ...Object.values(mf.buffers), ids]);
  disposeLlama(llm);
});

/** The base model with one sample's dense CoRA update added to every targeted weight; caller frees with disposeSampleMerged. */
function mergeSample(wOne: tf.Tensor3D): LlamaModel {
  const layers = llm.weights.layers.map((l, li): LlamaLayerWeights => {
    const out: Record<string, unknown> = { ...l };
    for (const proj of method.perSample.config.targets) {
      const d = coraDelta(method, wOne, li, proj);
      out[WEIGHT_OF[proj]] = tf.add(l[WEIGHT_OF[proj]], d);
      d.dispose();
    }
    return out as unknown as LlamaLayerWeights;
  });
  return { config: llm.config, weights: { ...llm.weights, layers } };
}
function disposeSampleMerged(m: LlamaModel): void {
  for (const l of m.weights.layers) for (const proj of method.perSample.config.targets) l[WEIGHT_OF[proj]].dispose();
}
function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('coraWeights', () => {
  it('gives one unit-norm [dModel, r] W_ui per row, independent of the other rows, without leaks', () => {
    const before = tf.memory().numTensors;
    const w = coraWeights(method, split, [2, 7, 11]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(w.shape).toEqual([3, 16, 4]);
    for (let b = 0; b < 3; b++) {
      const one = tf.tidy(() => tf.slice(w, [b, 0, 0], [1, 16, 4]));
      expect(frobeniusNorm({ rows: 16, cols: 4, data: one.dataSync() })).toBeCloseTo(1, 5);
      one.dispose();
    }
    const alone = coraWeights(method, split, [7]);
    const mid = tf.slice(w, [1, 0, 0], [1, 16, 4]);
    expect(maxAbs(alone, mid)).toBeLessThan(1e-6);
    tf.dispose([w, alone, mid]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('coraDelta', () => {
  it('added to the base weights reproduces the per-sample hook\'s outputs for that sample, and leaks nothing', () => {
    const w = coraWeights(method, split, [7]);
    const before = tf.memory().numTensors;
    const d = coraDelta(method, w, 1, 'gate_proj');
    expect(d.shape).toEqual([24, 16]); // [out, in] like the gate weight
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const one = tf.slice(ids, [0, 0], [1, 6]) as tf.Tensor2D;
    const viaHook = decoderLogits(llm, { ids: one, adapter: perSampleHook(method.perSample, w, EVAL_MODE) });
    const base = decoderLogits(llm, { ids: one });
    expect(maxAbs(viaHook, base)).toBeGreaterThan(1e-2);
    const merged = mergeSample(w);
    const viaMerge = decoderLogits(merged, { ids: one });
    expect(maxAbs(viaMerge, viaHook)).toBeLessThan(1e-4);
    disposeSampleMerged(merged);
    // a [dModel, r] W_ui gives the same update as [1, dModel, r]
    const w2 = tf.reshape(w, [16, 4]) as tf.Tensor2D;
    const a = coraDelta(method, w2, 0, 'q_proj'), b = coraDelta(method, w, 0, 'q_proj');
    expect(maxAbs(a, b)).toBe(0);
    tf.dispose([w, one, viaHook, base, viaMerge, w2, a, b]);
  });
  it('rejects more than one sample and an untargeted projection', () => {
    const w = coraWeights(method, split, [1, 2]);
    expect(() => coraDelta(method, w, 0, 'q_proj')).toThrow(/must be one sample/);
    const one = coraWeights(method, split, [1]);
    expect(() => coraDelta(method, one, 0, 'down_proj')).toThrow(/no P for layer 0 down_proj/);
    tf.dispose([w, one]);
  });
});

describe('coraDeltaNorms', () => {
  it('equals the Frobenius norm of each materialised update, per sample, layer and module, without leaks', () => {
    const w = coraWeights(method, split, [3, 9, 20]);
    const before = tf.memory().numTensors;
    const norms = coraDeltaNorms(method, w);
    expect(tf.memory().numTensors).toBe(before);
    expect(norms).toHaveLength(3 * 2 * 6);
    expect(norms.slice(0, 7).map((n) => `${n.sample}.${n.layer}.${n.proj}`)).toEqual(['0.0.q_proj', '0.0.k_proj', '0.0.v_proj', '0.0.o_proj', '0.0.gate_proj', '0.0.up_proj', '0.1.q_proj']);
    for (const n of norms) {
      const d = tf.tidy(() => coraDelta(method, tf.slice(w, [n.sample, 0, 0], [1, 16, 4]) as tf.Tensor3D, n.layer, n.proj));
      expect(n.norm).toBeCloseTo(frobeniusNorm({ rows: d.shape[0], cols: d.shape[1], data: d.dataSync() }), 4);
      d.dispose();
    }
    w.dispose();
  });
});

describe('coraHookFor', () => {
  it('applies one sample\'s W_ui to every row of a batch (= that sample\'s merged weights) and reproduces the method\'s score', async () => {
    const w = coraWeights(method, split, [7]);
    const hook = coraHookFor(method, w);
    const before = tf.memory().numTensors;
    const viaHook = decoderLogits(llm, { ids, adapter: hook });
    expect(tf.memory().numTensors).toBe(before + 1);
    const merged = mergeSample(w);
    const viaMerge = decoderLogits(merged, { ids });
    expect(maxAbs(viaHook, viaMerge)).toBeLessThan(1e-4);
    // the probes under the hook equal the probes of the merged model
    const seq = [1, 7, 3, 9, 2, 11, 4, 4, 8, 30, 1, 0, 39];
    const p1 = await perplexity(llm, seq, { window: 6, stride: 3, batch: 2, adapter: hook }), p2 = await perplexity(merged, seq, { window: 6, stride: 3, batch: 2 });
    expect(p1.ppl).toBeCloseTo(p2.ppl, 3);
    const c1 = await continuationScores(llm, [1, 7, 3], [[4], [5, 6], [8, 8, 2]], () => hook), c2 = await continuationScores(merged, [1, 7, 3], [[4], [5, 6], [8, 8, 2]]);
    c1.forEach((s, i) => expect(s).toBeCloseTo(c2[i]!, 3));
    disposeSampleMerged(merged);
    // the method's own score of row 7 equals the "Yes" logit under the broadcast hook
    const enc = { kind: 'tallrec' as const, ids: Array.from({ length: 8 }, (_, r) => Int32Array.from([1, 3 + r, 9, 2, 11])), placeholders: Array.from({ length: 8 }, () => []) };
    const batch = makePromptBatch(enc, split, [7], 0);
    const s1 = method.logits(batch, { training: false, seed: 0 }), s2 = yesLogits(llm, 5, batch, hook);
    expect(maxAbs(s1, s2)).toBeLessThan(1e-5);
    tf.dispose([w, viaHook, viaMerge, s1, s2]);
  });
  it('rejects a batch of W_ui', () => {
    const w = coraWeights(method, split, [1, 2]);
    expect(() => coraHookFor(method, w)).toThrow(/must be one sample/);
    w.dispose();
  });
});
