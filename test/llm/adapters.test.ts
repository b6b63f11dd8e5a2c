// LoRA and per-sample adapters: zero-initialised updates leave the base model exact, LoRA merges and
// unmerges, finite-difference gradients, gradients only for adapter parameters, per-sample rows are
// independent, and a training step leaks nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend';
import { adamStep, disposeAdamState, initAdamState, ADAM_DEFAULTS } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { adapterKey, composeHooks, disposeMerged, initLora, initPerSample, loraHook, mergeLora, perSampleHook } from '../../src/llm/adapters';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits, type AdapterHook } from '../../src/llm/llama';

beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = makeLlamaConfig({ vocabSize: 30, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const model = randomLlama(cfg, 11, { std: 0.3 });
const ids = tf.tensor2d([[1, 5, 9, 2], [7, 3, 3, 8]], [2, 4], 'int32');
const EVAL = { training: false, seed: 0 };
const R = tf.randomNormal([2, 4, 30], 0, 1, 'float32', 5);

function logits(adapter?: AdapterHook): tf.Tensor3D {
  return decoderLogits(model, adapter ? { ids, adapter } : { ids });
}
function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
function randomise(v: tf.Variable, seed: number, std = 0.3): void {
  v.assign(tf.randomNormal(v.shape, 0, std, 'float32', seed));
}
function sampleWeights(seed: number, B = 2): Map<number, tf.Tensor3D> {
  const rng = makeRng(seed), n = B * 16 * 4;
  return new Map([[16, tf.tensor3d(Float32Array.from({ length: n }, () => rng.normal() * 0.5), [B, 16, 4])]]);
}

describe('LoRA', () => {
  const lora = initLora(model, { r: 4, alpha: 8, dropout: 0.1, targets: ['q_proj', 'v_proj', 'down_proj'] }, 3);
  it('starts equal to the base model (B = 0), with PEFT parameter names', () => {
    expect(Object.keys(lora.params)).toContain('model.layers.1.self_attn.q_proj.lora_A.weight');
    expect(Object.keys(lora.params)).toContain('model.layers.0.mlp.down_proj.lora_B.weight');
    expect(maxAbs(logits(loraHook(lora, EVAL)), logits())).toBe(0);
  });
  it('merged weights give the unmerged outputs, and unmerging restores the base weights', () => {
    for (const [k, v] of Object.entries(lora.params)) if (k.includes('lora_B')) randomise(v, k.length);
    const merged = mergeLora(model, lora);
    const viaHook = logits(loraHook(lora, EVAL));
    expect(maxAbs(viaHook, logits())).toBeGreaterThan(1e-3);
    expect(maxAbs(decoderLogits(merged, { ids }), viaHook)).toBeLessThan(1e-4);
    const back = mergeLora(merged, lora, -1);
    expect(maxAbs(back.weights.layers[1]!.q, model.weights.layers[1]!.q)).toBeLessThan(1e-6);
    disposeMerged(back, lora);
    disposeMerged(merged, lora);
  });
  it('dropout acts only in training and is seeded', () => {
    const t1 = logits(loraHook(lora, { training: true, seed: 1 })), t1b = logits(loraHook(lora, { training: true, seed: 1 }));
    expect(maxAbs(t1, t1b)).toBe(0);
    expect(maxAbs(t1, logits(loraHook(lora, EVAL)))).toBeGreaterThan(0);
  });
});

describe('per-sample adapter', () => {
  const ps = initPerSample(model, { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] });
  it('starts equal to the base model (P = 0)', () => {
    expect(maxAbs(logits(perSampleHook(ps, sampleWeights(1), EVAL)), logits())).toBe(0);
  });
  it('applies each sample its own weights: a row in a batch equals that row run alone', () => {
    for (const [k, v] of Object.entries(ps.params)) randomise(v, k.length + 1);
    const w = sampleWeights(2);
    const both = logits(perSampleHook(ps, w, EVAL));
    const w0 = new Map([[16, tf.slice(w.get(16)!, [0, 0, 0], [1, 16, 4]) as tf.Tensor3D]]);
    const alone = decoderLogits(model, { ids: tf.slice(ids, [0, 0], [1, 4]) as tf.Tensor2D, adapter: perSampleHook(ps, w0, EVAL) });
    expect(maxAbs(tf.slice(both, [0, 0, 0], [1, 4, 30]), alone)).toBeLessThan(1e-5);
    expect(maxAbs(both, logits())).toBeGreaterThan(1e-3);
    expect(() => logits(perSampleHook(ps, new Map([[16, tf.zeros([3, 16, 4]) as tf.Tensor3D]]), EVAL))).toThrow(/do not fit batch 2/);
  });
});

describe('gradients', () => {
  const lora = initLora(model, { r: 2, alpha: 4, dropout: 0, targets: ['v_proj', 'up_proj'] }, 4);
  const ps = initPerSample(model, { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'o_proj'] });
  for (const [k, v] of Object.entries({ ...lora.params, ...ps.params })) randomise(v, k.length + 7, 0.2);
  const wb = tf.variable(sampleWeights(3).get(16)!);
  const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(decoderLogits(model, { ids, adapter: composeHooks(loraHook(lora, EVAL), perSampleHook(ps, new Map([[16, wb as tf.Tensor3D]]), EVAL)) }), R)) as tf.Scalar);
  const trainable = [...Object.values(lora.params), ...Object.values(ps.params), wb];

  it('match central finite differences for LoRA A/B, P and the sample weights W_b', () => {
    const g = tf.variableGrads(loss, trainable);
    const check = (v: tf.Variable, index: number): void => {
      const base = v.dataSync().slice(), eps = 1e-2;
      const at = (delta: number): number => {
        const x = base.slice();
        x[index]! += delta;
        v.assign(tf.tensor(x, v.shape));
        return loss().dataSync()[0]!;
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      const an = g.grads[v.name]!.dataSync()[index]!;
      expect(Math.abs(an - fd) / Math.max(1e-3, Math.abs(fd)), `${v.name}[${index}] analytic ${an} fd ${fd}`).toBeLessThan(1e-2);
    };
    check(lora.params[adapterKey(1, 'v_proj', 'lora_A.weight')]!, 3);
    check(lora.params[adapterKey(0, 'up_proj', 'lora_B.weight')]!, 5);
    check(ps.params[adapterKey(1, 'o_proj', 'P.weight')]!, 7);
    check(ps.params[adapterKey(0, 'q_proj', 'P.weight')]!, 2);
    check(wb, 17);
    tf.dispose([g.value, ...Object.values(g.grads)]);
  });
  it('reach only the adapter parameters (base weights are constants), and a step leaks nothing', () => {
    expect(model.weights.layers[0]!.q instanceof tf.Variable).toBe(false);
    const params: Record<string, tf.Variable> = { ...lora.params, ...ps.params };
    const adam = initAdamState(params);
    const before = tf.memory().numTensors;
    const g = tf.variableGrads(loss, Object.values(params));
    expect(Object.keys(g.grads).sort()).toEqual(Object.values(params).map((v) => v.name).sort());
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(params)) named[k] = g.grads[v.name]!;
    const q0 = model.weights.layers[0]!.q.dataSync().slice();
    adamStep(params, named, adam, { ...ADAM_DEFAULTS, lr: 1e-2 });
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(model.weights.layers[0]!.q.dataSync())).toEqual(Array.from(q0));
    disposeAdamState(adam);
  });
});
