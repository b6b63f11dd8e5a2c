// LoRA and per-sample adapters on a frozen tiny decoder: zero-initialised updates leave the base model
// exact, LoRA merges and unmerges, seeded training-only dropout, per-sample rows are independent, the
// adapter description composes both, finite-difference gradients, gradients only for trainables, no leaks.
import * as tf from '@tensorflow/tfjs';
import { namedGrads } from '../../src/core/grads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import {
  adapterHook, adapterKey, adapterVariables, composeHooks, disposeMerged, initLora, initPerSample, loraHook, mergeLora, perSampleHook,
  type AdapterSpec,
} from '../../src/llm/adapters';
import { seededDropoutMask as dropoutMask } from '../../src/core/dropout-mask';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import type { AdapterHook } from '../../src/llm/layers';
import { decoderLogits } from '../../src/llm/model';
import { disposeModel, finiteDiff, idsTensor, maxAbsDiff, randomModel } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = makeLlamaConfig({ vocabSize: 30, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const model = randomModel(cfg, 11, 0.3);
const ids = idsTensor([[1, 5, 9, 2], [7, 3, 3, 8]]);
// row 1 is left-padded: its padded query sees no key
const mask = tf.tensor2d([[1, 1, 1, 1], [0, 1, 1, 1]]);
const R = tf.randomNormal([2, 4, 30], 0, 1, 'float32', 5);
let base: tf.Tensor3D;
beforeAll(() => { base = decoderLogits(model, { ids, mask }); });
afterAll(() => { disposeModel(model); tf.dispose([ids, mask, R, base]); });

function logits(adapter?: AdapterHook): tf.Tensor3D {
  return decoderLogits(model, adapter ? { ids, mask, adapter } : { ids, mask });
}
function randomise(vars: Record<string, tf.Variable>, seed: number, std = 0.3): void {
  Object.values(vars).forEach((v, i) => tf.tidy(() => { v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed + i)); }));
}
function sampleWeights(seed: number, B = 2, dIn = 16, r = 4): tf.Tensor3D {
  const rng = makeRng(seed);
  return tf.tensor3d(Float32Array.from({ length: B * dIn * r }, () => rng.normal() * 0.5), [B, dIn, r]);
}

describe('LoRA', () => {
  const lora = initLora(model, { r: 4, alpha: 8, dropout: 0.1, targets: ['q_proj', 'v_proj', 'down_proj'] }, 3);
  it('has PEFT names, seeded A within +-1/sqrt(in), B = 0, and starts exactly at the base model', () => {
    expect(Object.keys(lora.params)).toHaveLength(2 * 3 * 2);
    const a = lora.params[adapterKey(1, 'down_proj', 'lora_A.weight')]!;
    expect(a.shape).toEqual([4, 24]);
    expect(lora.params['model.layers.0.self_attn.q_proj.lora_B.weight']!.shape).toEqual([16, 4]);
    expect(Math.max(...Array.from(a.dataSync(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(24));
    const again = initLora(model, lora.config, 3);
    expect(Array.from(again.params[adapterKey(1, 'down_proj', 'lora_A.weight')]!.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose(Object.values(again.params));
    expect(maxAbsDiff(logits(loraHook(lora, EVAL_MODE)), base)).toBe(0);
  });
  it('merged weights give the unmerged outputs, and unmerging restores the base weights', () => {
    randomise(Object.fromEntries(Object.entries(lora.params).filter(([k]) => k.includes('lora_B'))), 20);
    const viaHook = logits(loraHook(lora, EVAL_MODE));
    expect(maxAbsDiff(viaHook, base)).toBeGreaterThan(1e-3);
    const merged = mergeLora(model, lora);
    expect(maxAbsDiff(decoderLogits(merged, { ids, mask }), viaHook)).toBeLessThan(1e-4);
    const back = mergeLora(merged, lora, -1);
    for (const k of ['q', 'v', 'down'] as const) expect(maxAbsDiff(back.weights.layers[1]![k], model.weights.layers[1]![k])).toBeLessThan(1e-6);
    expect(back.weights.layers[0]!.k).toBe(model.weights.layers[0]!.k);
    disposeMerged(back, lora);
    disposeMerged(merged, lora);
  });
  it('applies dropout only in training, seeded by the step seed', () => {
    const t1 = logits(loraHook(lora, { training: true, seed: 1 }));
    expect(maxAbsDiff(t1, logits(loraHook(lora, { training: true, seed: 1 })))).toBe(0);
    expect(maxAbsDiff(t1, logits(loraHook(lora, { training: true, seed: 2 })))).toBeGreaterThan(0);
    expect(maxAbsDiff(t1, logits(loraHook(lora, EVAL_MODE)))).toBeGreaterThan(0);
  });
  it('draws the dropout mask from its seed: share of zeros ~ rate, mean ~ 1, same seed same mask', () => {
    const m = dropoutMask(200_000, 0.05, '7:lora1q_proj');
    const zeros = m.reduce((a, v) => a + (v === 0 ? 1 : 0), 0) / m.length, mean = m.reduce((a, v) => a + v, 0) / m.length;
    expect(Math.abs(zeros - 0.05)).toBeLessThan(0.003);
    expect(Math.abs(mean - 1)).toBeLessThan(0.005);
    expect(new Set(m)).toEqual(new Set([0, 1 / 0.95].map(Math.fround)));
    expect(dropoutMask(1000, 0.05, '7:lora1q_proj')).toEqual(m.subarray(0, 1000));
    expect(dropoutMask(1000, 0.05, '8:lora1q_proj')).not.toEqual(m.subarray(0, 1000));
  });
  it('rejects bad configs with the field named', () => {
    expect(() => initLora(model, { r: 0, alpha: 8, dropout: 0, targets: ['q_proj'] }, 1)).toThrow(/r must be an integer >= 1, got 0/);
    expect(() => initLora(model, { r: 2, alpha: 8, dropout: 0, targets: ['x_proj' as 'q_proj'] }, 1)).toThrow(/unknown projection "x_proj"/);
  });
});

describe('per-sample adapter', () => {
  const ps = initPerSample(model, { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj'] });
  it('starts exactly at the base model (P = 0)', () => {
    expect(ps.params[adapterKey(0, 'up_proj', 'P.weight')]!.shape).toEqual([4, 24]);
    expect(maxAbsDiff(logits(perSampleHook(ps, sampleWeights(1), EVAL_MODE)), base)).toBe(0);
  });
  it('applies each sample its own W_b: a row in a batch equals that row run alone; one tensor equals a width map', () => {
    randomise(ps.params, 40);
    const w = sampleWeights(2);
    const both = logits(perSampleHook(ps, w, EVAL_MODE));
    expect(maxAbsDiff(both, logits(perSampleHook(ps, new Map([[16, w]]), EVAL_MODE)))).toBe(0);
    const alone = decoderLogits(model, { ids: tf.slice(ids, [1, 0], [1, 4]) as tf.Tensor2D, mask: tf.slice(mask, [1, 0], [1, 4]) as tf.Tensor2D, adapter: perSampleHook(ps, tf.slice(w, [1, 0, 0], [1, 16, 4]) as tf.Tensor3D, EVAL_MODE) });
    expect(maxAbsDiff(tf.slice(both, [1, 1, 0], [1, 3, 30]), tf.slice(alone, [0, 1, 0], [1, 3, 30]))).toBeLessThan(1e-5);
    expect(maxAbsDiff(both, base)).toBeGreaterThan(1e-3);
    expect(() => logits(perSampleHook(ps, sampleWeights(3, 3), EVAL_MODE))).toThrow(/do not fit batch 2/);
    const down = initPerSample(model, { r: 4, alpha: 8, dropout: 0, targets: ['down_proj'] });
    expect(() => logits(perSampleHook(down, w, EVAL_MODE))).toThrow(/no sample weights of input width 24/);
    tf.dispose(Object.values(down.params));
  });
});

describe('adapter description and gradients', () => {
  const lora = initLora(model, { r: 2, alpha: 4, dropout: 0, targets: ['v_proj', 'up_proj'] }, 4);
  const ps = initPerSample(model, { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'o_proj', 'gate_proj'] });
  randomise({ ...lora.params, ...ps.params }, 60, 0.2);
  const wb = tf.variable(sampleWeights(3));
  const spec: AdapterSpec = { lora, perSample: { adapter: ps, weights: wb }, mode: EVAL_MODE };
  const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(decoderLogits(model, { ids, mask, adapter: adapterHook(spec)! }), R)));
  const lossValue = (): number => { const l = loss(); const v = l.dataSync()[0]!; l.dispose(); return v; };

  it('composes LoRA then the per-sample update, and names exactly the trainable tensors', () => {
    expect(adapterHook(undefined)).toBeUndefined();
    expect(adapterHook({ mode: EVAL_MODE })).toBeUndefined();
    const composed = composeHooks(loraHook(lora, EVAL_MODE), perSampleHook(ps, wb, EVAL_MODE));
    expect(maxAbsDiff(logits(adapterHook(spec)), logits(composed))).toBe(0);
    expect(Object.keys(adapterVariables(spec)).sort()).toEqual([...Object.keys(lora.params), ...Object.keys(ps.params), 'sample_weights.16'].sort());
    expect(Object.keys(adapterVariables({ ...spec, perSample: { adapter: ps, weights: sampleWeights(1) } }))).not.toContain('sample_weights.16');
  });
  it('match central finite differences for LoRA A and B, P and the sample weights W_b (relative error < 1e-2)', () => {
    const g = namedGrads(loss, adapterVariables(spec));
    const cases: [string, number][] = [
      [adapterKey(1, 'v_proj', 'lora_A.weight'), 3], [adapterKey(0, 'up_proj', 'lora_B.weight'), 5],
      [adapterKey(1, 'o_proj', 'P.weight'), 7], [adapterKey(0, 'gate_proj', 'P.weight'), 50], ['sample_weights.16', 17], ['sample_weights.16', 100],
    ];
    const vars = adapterVariables(spec);
    for (const [name, i] of cases) {
      const an = g.grads[name]!.dataSync()[i]!;
      const fd = finiteDiff(lossValue, vars[name]!, i, 1e-2);
      expect(Math.abs(fd), name).toBeGreaterThan(1e-4);
      expect(Math.abs(an - fd) / Math.max(1e-3, Math.abs(fd)), `${name}[${i}] analytic ${an} fd ${fd}`).toBeLessThan(1e-2);
    }
    tf.dispose([g.value, ...Object.values(g.grads)]);
  });
  it('reach only the trainables (base weights are plain tensors, unchanged), and a training step leaks nothing', () => {
    expect(model.weights.layers[0]!.q instanceof tf.Variable).toBe(false);
    const vars = adapterVariables(spec);
    const q0 = model.weights.layers[0]!.q.dataSync().slice();
    const before = tf.memory().numTensors;
    for (let step = 0; step < 2; step++) {
      const g = namedGrads(() => tf.tidy(() => tf.sum(tf.mul(decoderLogits(model, { ids, mask, adapter: adapterHook({ ...spec, mode: { training: true, seed: step } })! }), R))), vars);
      expect(Object.keys(g.grads).sort()).toEqual(Object.keys(vars).sort());
      tf.tidy(() => { for (const [k, v] of Object.entries(vars)) v.assign(tf.sub(v, tf.mul(g.grads[k]!, 1e-3))); });
      tf.dispose([g.value, ...Object.values(g.grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(model.weights.layers[0]!.q.dataSync())).toEqual(Array.from(q0));
    const allVars = tf.variableGrads(loss);
    expect(Object.keys(allVars.grads).every((n) => Object.values(vars).some((v) => v.name === n) || !n.startsWith('model.'))).toBe(true);
    tf.dispose([allVars.value, ...Object.values(allVars.grads)]);
  });
});
