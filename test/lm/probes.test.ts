// Probes: the unigram baseline formula, continuation scoring on a real model, and the cloze ranking.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/backend';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits } from '../../src/llm/model';
import { loadLlama2c } from '../../src/llm/llama2c';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { allFacts } from '../../src/lm/facts';
import { clozeAccuracy, continuationScores, textPerplexity, unigramPerplexity } from '../../src/lm/probes';

const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K');
const have = fs.existsSync(path.join(STORIES, 'stories260K.bin'));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('continuation scoring', () => {
  it('with the shared prompt cache equals scoring each full sequence directly', async () => {
    const cfg = makeLlamaConfig({ vocabSize: 30, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
    const m = randomLlama(cfg, 5, { std: 0.4 });
    const prompt = [1, 7, 3, 9], conts = [[4], [5, 6, 2], [8, 8], [29, 0, 1, 2]];
    const got = await continuationScores(m, prompt, conts);
    conts.forEach((c, r) => {
      const seq = [...prompt, ...c];
      const lp = tf.tidy(() => tf.logSoftmax(tf.squeeze(decoderLogits(m, { ids: tf.tensor2d([seq], [1, seq.length], 'int32') }), [0])).arraySync() as number[][]);
      const ref = c.reduce((a, t, i) => a + lp[prompt.length - 1 + i]![t]!, 0);
      expect(got[r]).toBeCloseTo(ref, 4);
    });
    disposeLlama(m);
  });

  it('in chunks of candidates (bounded [rows, vocab] memory) gives the same scores and leaks nothing', async () => {
    const cfg = makeLlamaConfig({ vocabSize: 30, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
    const m = randomLlama(cfg, 6, { std: 0.4 });
    const prompt = [2, 5, 11], conts = [[4], [5, 6, 2], [8, 8], [29, 0, 1, 2], [3, 3, 3]];
    const whole = await continuationScores(m, prompt, conts);
    const before = tf.memory().numTensors;
    for (const bytes of [1, 4 * 30 * 3 * 2]) {  // one candidate per pass, then two
      const got = await continuationScores(m, prompt, conts, undefined, bytes);
      got.forEach((v, r) => expect(v).toBeCloseTo(whole[r]!, 4));
    }
    expect(tf.memory().numTensors).toBe(before);
    disposeLlama(m);
  });
});

describe('unigram baseline', () => {
  it('is exp of the mean add-one smoothed negative log frequency', () => {
    // counts with add-one over vocab 3: token0 1+2, token1 1+1, token2 1+0 -> total 6
    const p = unigramPerplexity([0, 0, 1], [2, 0, 1], 3);
    expect(p).toBeCloseTo(Math.exp(-(Math.log(3 / 6) + Math.log(2 / 6)) / 2), 10);
  });
});

describe.skipIf(!have)(`probes on stories260K${have ? '' : ` [SKIPPED: ${STORIES} missing]`}`, () => {
  let m: LlamaModel, tok: KitTokenizer;
  beforeAll(async () => {
    m = loadLlama2c(path.join(STORIES, 'stories260K.bin'));
    tok = await loadTokenizer(STORIES);
  });
  it('ranks the story continuation first', async () => {
    const s = await continuationScores(m, tok.encode('Once upon a', { addBos: true }), [' dog', ' time', ' table'].map((c) => tok.encode(c)));
    expect(s[1]).toBeGreaterThan(s[0]!);
    expect(s[1]).toBeGreaterThan(s[2]!);
  });
  it('reports cloze results with the relation\'s candidates and chance level', async () => {
    const r = await clozeAccuracy(m, tok, allFacts(), 'continent', 'heldIn', { maxFacts: 4 });
    expect(r).toMatchObject({ relation: 'continent', phrasing: 'heldIn', facts: 4, candidates: 7 });
    expect(r.chance).toBeCloseTo(1 / 7, 10);
    expect(r.meanRank).toBeGreaterThanOrEqual(1);
    expect(r.meanRank).toBeLessThanOrEqual(7);
  });
  it('beats the unigram baseline on story text', async () => {
    const text = 'Once upon a time, there was a little boy named Tim. Tim liked to play with his ball in the garden. One day, his ball went over the fence.';
    const ppl = await textPerplexity(m, tok, text, { maxTokens: 512, window: 64, stride: 32 });
    const ids = tok.encode(text, { addBos: true });
    expect(ppl.ppl).toBeLessThan(unigramPerplexity(ids, ids, 512) / 2);
  });
  afterAll(() => disposeLlama(m));
});
