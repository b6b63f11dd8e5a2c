// The general-knowledge probes and generation under adapters (for retention): a LoRA with B = 0 gives
// exactly the base model's perplexity, cloze scores and generated tokens; a nonzero LoRA changes them.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { initLora, loraHook, type Lora } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { generate } from '../../src/llm/generate';
import { randomLlama } from '../../src/llm/init';
import type { KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { allFacts } from '../../src/lm/facts';
import { clozeAccuracy, continuationScores, textPerplexity } from '../../src/lm/probes';

const V = 64;
/** Characters as tokens (id 1 + code mod 63), BOS = 0: enough to run the text probes on a random model. */
const charTok: KitTokenizer = {
  encode: (text, opts) => [...(opts?.addBos ? [0] : []), ...Array.from(text, (ch) => 1 + (ch.charCodeAt(0) % (V - 1)))],
  decode: (ids) => ids.map((i) => String.fromCharCode(i)).join(''),
  tokenId: () => null, bosId: 0, eosId: 0, vocabSize: V, dir: '',
};
const text = 'The capital of France is Paris. Water boils at one hundred degrees.';
const facts = allFacts();
let m: LlamaModel, zero: Lora, nonzero: Lora;

beforeAll(async () => {
  await initBackend('wasm');
  m = randomLlama(makeLlamaConfig({ vocabSize: V, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 4 }), 2, { std: 0.3 });
  const cfg = { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'] as const };
  zero = initLora(m, cfg, 0);
  nonzero = initLora(m, cfg, 0);
  Object.entries(nonzero.params).forEach(([k, v], i) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', i))); });
});
afterAll(() => {
  tf.dispose([...Object.values(zero.params), ...Object.values(nonzero.params)]);
  disposeLlama(m);
});

describe('probes with an adapter hook', () => {
  it('textPerplexity: B = 0 equals the base exactly, a nonzero LoRA differs, no leaks', async () => {
    const opts = { maxTokens: 64, window: 16, stride: 8 };
    const before = tf.memory().numTensors;
    const base = await textPerplexity(m, charTok, text, opts);
    const same = await textPerplexity(m, charTok, text, { ...opts, adapter: loraHook(zero, EVAL_MODE) });
    const moved = await textPerplexity(m, charTok, text, { ...opts, adapter: loraHook(nonzero, EVAL_MODE) });
    expect(tf.memory().numTensors).toBe(before);
    expect(same.nll).toBe(base.nll);
    expect(Math.abs(moved.nll - base.nll)).toBeGreaterThan(1e-3);
  });
  it('continuationScores and clozeAccuracy: B = 0 equals the base exactly, a nonzero LoRA differs', async () => {
    const prompt = charTok.encode('Paris is in', { addBos: true }), conts = [' Europe', ' Asia', ' Africa'].map((c) => charTok.encode(c));
    const before = tf.memory().numTensors;
    const base = await continuationScores(m, prompt, conts);
    const same = await continuationScores(m, prompt, conts, () => loraHook(zero, EVAL_MODE));
    const moved = await continuationScores(m, prompt, conts, () => loraHook(nonzero, EVAL_MODE));
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(same)).toEqual(Array.from(base));
    expect(Math.max(...Array.from(moved, (s, i) => Math.abs(s - base[i]!)))).toBeGreaterThan(1e-3);
    const c0 = await clozeAccuracy(m, charTok, facts, 'continent', 'heldIn', { maxFacts: 3 });
    const c1 = await clozeAccuracy(m, charTok, facts, 'continent', 'heldIn', { maxFacts: 3, adapterFor: () => loraHook(zero, EVAL_MODE) });
    expect(c1).toEqual(c0);
  });
  it('generate: B = 0 gives the base tokens and step logits exactly; a nonzero LoRA changes the logits', async () => {
    const run = async (lora?: Lora) => {
      const logits: number[] = [];
      const tokens = await generate(m, [0, 5, 9], { maxNewTokens: 6, ...(lora ? { adapter: loraHook(lora, EVAL_MODE) } : {}), onStep: (_, __, l) => logits.push(...l) });
      return { tokens, logits };
    };
    const base = await run(), same = await run(zero), moved = await run(nonzero);
    expect(same.tokens).toEqual(base.tokens);
    expect(same.logits).toEqual(base.logits);
    expect(Math.max(...moved.logits.slice(0, V).map((l, i) => Math.abs(l - base.logits[i]!)))).toBeGreaterThan(1e-3);
  });
});
