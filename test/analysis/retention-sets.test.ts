// Adapter sets of trained methods for retention: base has no hook, a LoRA set is its evaluation hook,
// and a CoRA set holds one hook per chosen row (equal to coraHookFor on that row's W_ui) and frees its
// W_ui on dispose.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import { cfSpec } from '../../src/cf/registry';
import type { CFModel } from '../../src/cf/types';
import { coraHookFor, coraWeights } from '../../src/analysis/cora-delta';
import { coraMethod, makeCoraOptions, type CoraMethod } from '../../src/cora/method';
import { subsetSplit } from '../../src/data/subset';
import { syntheticWorld } from '../../src/data/synthetic';
import { initLora, loraHook } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits } from '../../src/llm/model';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { baseAdapterSet, coraAdapterSet, loraAdapterSet, loraMaxAbsDiff } from '../../src/analysis/retention-sets';

const ds = syntheticWorld('tiny');
const split = ds.splits.test;
let llm: LlamaModel, mf: CFModel, cora: CoraMethod, ids: tf.Tensor2D;
beforeAll(async () => {
  await initBackend('wasm');
  const spec = cfSpec('mf');
  llm = randomLlama(makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4 }), 3, { std: 0.3 });
  mf = spec.init(spec.makeConfig({ dEmb: 8 }, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  cora = coraMethod(llm, 5, { spec, model: mf }, makeCoraOptions({ rank: 2, alpha: 4, dropout: 0 }, 'mf'), 1);
  Object.values(cora.perSample.params).forEach((v, i) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 10 + i))));
  ids = tf.tensor2d([[1, 7, 3, 9], [4, 4, 8, 30]], [2, 4], 'int32');
});
afterAll(() => {
  cora.dispose();
  tf.dispose([...Object.values(mf.params), ...Object.values(mf.buffers), ids]);
  disposeLlama(llm);
});
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('adapter sets', () => {
  it('base: one absent hook; LoRA: its evaluation hook', () => {
    expect(baseAdapterSet()).toEqual({ name: 'base', hooks: [undefined] });
    const lora = initLora(llm, { r: 2, alpha: 4, dropout: 0.1, targets: ['q_proj'] }, 0);
    Object.entries(lora.params).forEach(([k, v]) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.onesLike(v))); });
    const set = loraAdapterSet('TALLRec', lora);
    expect(set.name).toBe('TALLRec');
    const a = decoderLogits(llm, { ids, adapter: set.hooks[0]! }), b = decoderLogits(llm, { ids, adapter: loraHook(lora, EVAL_MODE) });
    expect(maxAbs(a, b)).toBe(0);
    // an identical LoRA shares the hook; a different one gets its own
    const twin = initLora(llm, { r: 2, alpha: 4, dropout: 0.1, targets: ['q_proj'] }, 0);
    Object.entries(twin.params).forEach(([k, v]) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.onesLike(v))); });
    expect(loraMaxAbsDiff(twin, lora)).toBe(0);
    expect(loraAdapterSet('CoLLM', twin, { lora, set }).hooks).toBe(set.hooks);
    const other = initLora(llm, { r: 2, alpha: 4, dropout: 0.1, targets: ['q_proj'] }, 1);
    expect(loraMaxAbsDiff(other, lora)).toBeGreaterThan(0);
    expect(loraAdapterSet('other', other, { lora, set }).hooks).not.toBe(set.hooks);
    const elsewhere = initLora(llm, { r: 2, alpha: 4, dropout: 0.1, targets: ['v_proj'] }, 0);
    expect(loraMaxAbsDiff(elsewhere, lora)).toBe(Infinity);
    const before = tf.memory().numTensors;
    loraMaxAbsDiff(other, lora);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, ...[lora, twin, other, elsewhere].flatMap((l) => Object.values(l.params))]);
  });
  it('CoRA: one hook per row, each that row\'s W_ui broadcast; dispose frees the W_ui', () => {
    const before = tf.memory().numTensors;
    const set = coraAdapterSet('CoRA', cora, split, [3, 8, 12]);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(set.hooks).toHaveLength(3);
    const w = coraWeights(cora, split, [8]);
    const a = decoderLogits(llm, { ids, adapter: set.hooks[1]! }), b = decoderLogits(llm, { ids, adapter: coraHookFor(cora, w) });
    const c = decoderLogits(llm, { ids, adapter: set.hooks[0]! });
    expect(maxAbs(a, b)).toBeLessThan(1e-5); // W_ui of a batch of 3 vs of 1: float rounding only
    expect(maxAbs(a, c)).toBeGreaterThan(1e-4);
    tf.dispose([w, a, b, c]);
    set.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => coraAdapterSet('CoRA', cora, split, [])).toThrow(/no rows/);
    const all = coraAdapterSet('CoRA', cora, subsetSplit(split, [3, 8]));
    expect(all.hooks).toHaveLength(2);
    all.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
