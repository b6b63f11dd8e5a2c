// The materialised LoRA update equals merged weight minus base weight for every target, including an
// FFN projection with a different shape; the norms without materialising match; nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { frobeniusNorm } from '../../src/analysis/linalg';
import { disposeMerged, initLora, mergeLora, WEIGHT_OF, type Lora } from '../../src/llm/adapters';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { loraDelta, loraDeltaNorms } from '../../src/analysis/lora-delta';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';

const cfg = makeLlamaConfig({ vocabSize: 20, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
let model: LlamaModel, lora: Lora;
beforeAll(async () => {
  await initBackend('wasm');
  model = randomLlama(cfg, 4, { std: 0.2 });
  lora = initLora(model, { r: 4, alpha: 12, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'] }, 1);
  Object.entries(lora.params).forEach(([k, v], i) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 50 + i))); });
});
afterAll(() => { disposeLlama(model); tf.dispose(Object.values(lora.params)); });

describe('loraDelta', () => {
  it('equals the merged weight minus the base weight, in [out, in], and leaks nothing', () => {
    const merged = mergeLora(model, lora);
    for (let layer = 0; layer < 2; layer++) {
      for (const proj of lora.config.targets) {
        const before = tf.memory().numTensors;
        const d = loraDelta(lora, layer, proj);
        expect(tf.memory().numTensors).toBe(before + 1);
        const key = WEIGHT_OF[proj];
        expect(d.shape).toEqual(model.weights.layers[layer]![key].shape);
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(d, tf.sub(merged.weights.layers[layer]![key], model.weights.layers[layer]![key])))));
        expect(diff.dataSync()[0]).toBeLessThan(1e-5);
        expect(frobeniusNorm({ rows: d.shape[0], cols: d.shape[1], data: d.dataSync() })).toBeGreaterThan(1e-2);
        tf.dispose([d, diff]);
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    disposeMerged(merged, lora);
  });
  it('rejects a projection the LoRA does not target', () => {
    expect(() => loraDelta(lora, 0, 'k_proj')).toThrow(/k_proj is not a LoRA target/);
  });
});

describe('loraDeltaNorms', () => {
  it('gives the Frobenius norm of each materialised update, for every layer and target, without leaks', () => {
    const before = tf.memory().numTensors;
    const norms = loraDeltaNorms(lora);
    expect(tf.memory().numTensors).toBe(before);
    expect(norms.map((n) => `${n.layer}.${n.proj}`)).toEqual(['0.q_proj', '0.v_proj', '0.down_proj', '1.q_proj', '1.v_proj', '1.down_proj']);
    for (const n of norms) {
      const d = loraDelta(lora, n.layer, n.proj);
      expect(n.norm).toBeCloseTo(frobeniusNorm({ rows: d.shape[0], cols: d.shape[1], data: d.dataSync() }), 4);
      d.dispose();
    }
  });
});
