// Generation: the KV cache gives the same step logits (within 1e-4) and tokens as recomputing the
// prefix; seeded sampling; top-p; stop tokens; adapters (hook, description, merged LoRA); no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import { disposeMerged, initLora, initPerSample, loraHook, mergeLora } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { generate, sampleToken } from '../../src/llm/generate';
import { disposeModel, randomModel } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 500 });
const m = randomModel(cfg, 7, 0.3);
afterAll(() => disposeModel(m));

async function stepLogits(useCache: boolean, opts: { temperature?: number; seed?: number } = {}): Promise<{ tokens: number[]; logits: Float32Array[] }> {
  const logits: Float32Array[] = [];
  const tokens = await generate(m, [1, 2, 3], { maxNewTokens: 8, useCache, ...opts, onStep: (_, __, l) => logits.push(l.slice()) });
  return { tokens, logits };
}
function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((x, i) => Math.max(...Array.from(x, (v, j) => Math.abs(v - b[i]![j]!)))));
}

describe('generate', () => {
  it('with the KV cache equals recomputing the whole prefix: step logits within 1e-4, same tokens (greedy and sampled)', async () => {
    const c = await stepLogits(true), r = await stepLogits(false);
    expect(c.tokens).toHaveLength(8);
    expect(c.tokens).toEqual(r.tokens);
    expect(maxDiff(c.logits, r.logits)).toBeLessThan(1e-4);
    const cs = await stepLogits(true, { temperature: 1, seed: 5 }), rs = await stepLogits(false, { temperature: 1, seed: 5 });
    expect(cs.tokens).toEqual(rs.tokens);
    expect(maxDiff(cs.logits, rs.logits)).toBeLessThan(1e-4);
  });
  it('samples reproducibly from a seed, stops before a stop token, and validates its options', async () => {
    const a = await generate(m, [1, 2], { maxNewTokens: 10, temperature: 1.5, seed: 3 });
    expect(await generate(m, [1, 2], { maxNewTokens: 10, temperature: 1.5, seed: 3 })).toEqual(a);
    const seeds = await Promise.all([4, 5, 6, 7].map((seed) => generate(m, [1, 2], { maxNewTokens: 10, temperature: 1.5, seed })));
    expect(seeds.some((s) => s.join() !== a.join())).toBe(true);
    const greedy = await generate(m, [1, 2], { maxNewTokens: 10 });
    expect(await generate(m, [1, 2], { maxNewTokens: 10, temperature: 1, topP: 1e-6, seed: 9 })).toEqual(greedy);
    expect(await generate(m, [1, 2], { maxNewTokens: 10, stopTokens: [greedy[3]!] })).toEqual(greedy.slice(0, greedy.indexOf(greedy[3]!)));
    await expect(generate(m, [], { maxNewTokens: 1 })).rejects.toThrow(/at least one token/);
    await expect(generate(m, [40], { maxNewTokens: 1 })).rejects.toThrow(/prompt token 40 is outside/);
    await expect(generate(m, [1], { maxNewTokens: 1, topP: 0 })).rejects.toThrow(/topP must be in \(0, 1\]/);
  });
  it('sampleToken: argmax at temperature 0; top-p keeps the smallest set reaching the mass', () => {
    const l = Float32Array.from([0, Math.log(6), Math.log(3), 0]); // probabilities 1/11, 6/11, 3/11, 1/11
    const rng = makeRng(1);
    expect(sampleToken(l, 0, 1, rng)).toBe(1);
    const seen = new Set(Array.from({ length: 200 }, () => sampleToken(l, 1, 0.8, rng)));
    expect([...seen].sort()).toEqual([1, 2]);
    const all = new Set(Array.from({ length: 400 }, () => sampleToken(l, 1, 1, rng)));
    expect(all.size).toBe(4);
  });
  it('runs with adapters: a LoRA hook, its description and its merged weights give the same greedy text; zero P leaves it unchanged', async () => {
    const lora = initLora(m, { r: 4, alpha: 8, dropout: 0.5, targets: ['q_proj', 'v_proj', 'up_proj'] }, 2);
    Object.entries(lora.params).forEach(([k, v], i) => { if (k.includes('lora_B')) tf.tidy(() => { v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', i)); }); });
    const base = await generate(m, [1, 2, 3], { maxNewTokens: 12 });
    const viaHook = await generate(m, [1, 2, 3], { maxNewTokens: 12, adapter: loraHook(lora, EVAL_MODE) });
    expect(viaHook).not.toEqual(base);
    expect(await generate(m, [1, 2, 3], { maxNewTokens: 12, adapter: { lora, mode: EVAL_MODE } })).toEqual(viaHook);
    const merged = mergeLora(m, lora);
    expect(await generate(merged, [1, 2, 3], { maxNewTokens: 12 })).toEqual(viaHook);
    disposeMerged(merged, lora);
    const ps = initPerSample(m, { r: 4, alpha: 8, dropout: 0, targets: ['k_proj', 'o_proj'] });
    const wb = tf.randomNormal([1, 32, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    expect(await generate(m, [1, 2, 3], { maxNewTokens: 12, adapter: { perSample: { adapter: ps, weights: wb }, mode: EVAL_MODE } })).toEqual(base);
    tf.dispose([...Object.values(lora.params), ...Object.values(ps.params), wb]);
  });
  it('leaves numTensors unchanged (cache, no cache, sampling, adapters)', async () => {
    const lora = initLora(m, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj'] }, 1);
    const before = tf.memory().numTensors;
    await generate(m, [1, 2, 3], { maxNewTokens: 5, temperature: 0.8, topP: 0.9, seed: 1 });
    await generate(m, [1, 2, 3], { maxNewTokens: 5, useCache: false });
    await generate(m, [1, 2, 3], { maxNewTokens: 5, adapter: { lora, mode: EVAL_MODE }, stopTokens: [0] });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(lora.params));
  });
});
