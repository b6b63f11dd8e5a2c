// Sliding-window perplexity: every token after the first is scored exactly once, a single window
// equals the direct log-likelihood, adapters apply, nothing leaks, and a real model finds a story likely.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeLlamaConfig } from '../../src/llm/config';
import { initLora } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { decoderLogits } from '../../src/llm/model';
import { loadLlama2c } from '../../src/llm/llama2c';
import { perplexity, slidingWindows } from '../../src/llm/perplexity';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama } from '../../src/llm/weights';
import { disposeModel, randomModel } from './helpers';

const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K');
const have = fs.existsSync(path.join(STORIES, 'stories260K.bin'));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('sliding-window perplexity', () => {
  it('scores each token after the first exactly once when windows overlap (stride < window)', () => {
    for (const [n, w, s] of [[10, 4, 2], [9, 20, 5], [100, 16, 3]] as const) {
      const scored = new Array(n).fill(0);
      for (const [b, e, first] of slidingWindows(n, w, s)) {
        expect(e - b).toBeLessThanOrEqual(w);
        expect(first).toBeGreaterThan(b);
        for (let p = first; p < e; p++) scored[p]++;
      }
      expect(scored).toEqual([0, ...new Array(n - 1).fill(1)]);
    }
    // disjoint windows (stride = window) cannot score a window's first token, as in the HF guide
    expect(slidingWindows(10, 4, 4).map(([, , first]) => first)).toEqual([1, 5, 9]);
  });
  it('with one window equals the direct mean log-likelihood; batching does not change it', async () => {
    const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 2 });
    const m = randomModel(cfg, 2, 0.3);
    const ids = Array.from({ length: 23 }, (_, i) => (i * 7) % 40);
    const direct = tf.tidy(() => {
      const lp = tf.logSoftmax(tf.squeeze(decoderLogits(m, { ids: tf.tensor2d([ids], [1, 23], 'int32') }), [0]));
      let s = 0;
      const a = lp.arraySync() as number[][];
      for (let t = 0; t < 22; t++) s -= a[t]![ids[t + 1]!]!;
      return s;
    });
    const one = await perplexity(m, ids, { window: 32, stride: 32 });
    expect(one.tokens).toBe(22);
    expect(one.nll).toBeCloseTo(direct, 3);
    const slid1 = await perplexity(m, ids, { window: 8, stride: 3, batch: 1 });
    const slid4 = await perplexity(m, ids, { window: 8, stride: 3, batch: 4 });
    expect(slid1.tokens).toBe(22);
    expect(slid4.nll).toBeCloseTo(slid1.nll, 3);
    expect(slid1.ppl).toBeCloseTo(Math.exp(slid1.nll / 22), 6);
    await expect(perplexity(m, [1], { window: 8, stride: 4 })).rejects.toThrow(/at least 2 tokens/);
    disposeModel(m);
  });
  it('applies adapters (hook or description) and leaves numTensors unchanged', async () => {
    const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2 });
    const m = randomModel(cfg, 3, 0.3);
    const ids = Array.from({ length: 30 }, (_, i) => (i * 11) % 40);
    const lora = initLora(m, { r: 2, alpha: 4, dropout: 0, targets: ['v_proj'] }, 1);
    const before = tf.memory().numTensors;
    const base = await perplexity(m, ids, { window: 10, stride: 4, batch: 3 });
    expect((await perplexity(m, ids, { window: 10, stride: 4, adapter: { lora, mode: EVAL_MODE } })).nll).toBeCloseTo(base.nll, 4);
    Object.entries(lora.params).forEach(([k, v]) => { if (k.includes('lora_B')) tf.tidy(() => { v.assign(tf.fill(v.shape, 0.5)); }); });
    expect(Math.abs((await perplexity(m, ids, { window: 10, stride: 4, adapter: { lora, mode: EVAL_MODE } })).nll - base.nll)).toBeGreaterThan(1e-3);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(lora.params));
    disposeModel(m);
  });
  it.skipIf(!have)(`stories260K finds a story likely and shuffled text unlikely${have ? '' : ` [SKIPPED: ${STORIES} missing]`}`, async () => {
    const m = loadLlama2c(path.join(STORIES, 'stories260K.bin'));
    const tok = await loadTokenizer(STORIES);
    const text = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends.';
    const ids = tok.encode(text, { addBos: true });
    const good = await perplexity(m, ids, { window: 64, stride: 32 });
    const shuffled = [ids[0]!, ...ids.slice(1).reverse()];
    const bad = await perplexity(m, shuffled, { window: 64, stride: 32 });
    expect(good.ppl).toBeLessThan(10);
    expect(bad.ppl).toBeGreaterThan(3 * good.ppl);
    disposeLlama(m);
  });
});
