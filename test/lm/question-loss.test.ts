// The supervised answer loss used by domain adaptation: equals the two-way cross-entropy of the
// candidates' first-token logits at the last prompt position, is invariant to left padding, leaks no
// tensors, reduces over steps of training, and rejects malformed question sets.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { skillProbes } from '../../src/data/genre-skill';
import { syntheticWorld } from '../../src/data/synthetic';
import { loadHfModel } from '../../src/llm/hf-load';
import { lastTokenLogits } from '../../src/llm/model';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { namedGrads } from '../../src/core/grads';
import { adamStep, disposeAdamState, initAdamState } from '../../src/core/optim';
import { trainables } from '../../src/lm/pretrain';
import { encodeQuestions, questionLoss, questionRowsAt } from '../../src/lm/question-loss';

const DIR = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
let m: LlamaModel, tok: KitTokenizer;
const qs = () => skillProbes(syntheticWorld('tiny').items, { n: 6, seed: 4, withGenres: true });
beforeAll(async () => {
  await initBackend('wasm');
  m = loadHfModel(DIR);
  tok = await loadTokenizer(DIR);
});

describe('questionLoss', () => {
  it('is the cross-entropy of the right candidate, row by row, whatever the padding', () => {
    const q = encodeQuestions(tok, qs());
    expect(q.candidateIds).toEqual([tok.encode(' Yes')[0], tok.encode(' No')[0]]);
    const before = tf.memory().numTensors;
    const all = questionLoss(m, q, [0, 1, 2, 3, 4, 5]);
    const one = [0, 1, 2, 3, 4, 5].map((r) => tf.tidy(() => questionLoss(m, q, [r]).dataSync()[0]!));
    expect(all.dataSync()[0]!).toBeCloseTo(one.reduce((a, b) => a + b, 0) / 6, 4);
    all.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const manual = tf.tidy(() => {
      const ids = q.ids[2]!;
      const l = lastTokenLogits(m, { ids: tf.tensor2d([...ids], [1, ids.length], 'int32') }, q.candidateIds).dataSync();
      return Math.log(Math.exp(l[0]!) + Math.exp(l[1]!)) - l[q.answer[2]!]!;
    });
    expect(one[2]!).toBeCloseTo(manual, 4);
  });
  it('with label smoothing ε is the cross-entropy against (1 - ε) one-hot + ε / C, and rejects ε outside [0, 1)', () => {
    const q = encodeQuestions(tok, qs());
    const eps = 0.2;
    const smoothed = tf.tidy(() => questionLoss(m, q, [3], eps).dataSync()[0]!);
    const manual = tf.tidy(() => {
      const ids = q.ids[3]!;
      const l = lastTokenLogits(m, { ids: tf.tensor2d([...ids], [1, ids.length], 'int32') }, q.candidateIds).dataSync();
      const lse = Math.log(Math.exp(l[0]!) + Math.exp(l[1]!)), a = q.answer[3]!;
      return (1 - eps / 2) * (lse - l[a]!) + (eps / 2) * (lse - l[1 - a]!);
    });
    expect(smoothed).toBeCloseTo(manual, 4);
    expect(smoothed).not.toBeCloseTo(tf.tidy(() => questionLoss(m, q, [3]).dataSync()[0]!), 3);
    expect(() => questionLoss(m, q, [3], 1)).toThrow(/smoothing/);
    expect(() => questionLoss(m, q, [3], -0.1)).toThrow(/smoothing/);
  });
  it('falls when the model trains on it', async () => {
    const trained = loadHfModel(DIR, { trainable: true });
    const { params } = trainables(trained);
    const adam = initAdamState(params);
    const q = encodeQuestions(tok, qs());
    const rows = [0, 1, 2, 3, 4, 5];
    const start = tf.tidy(() => questionLoss(trained, q, rows).dataSync()[0]!);
    for (let s = 0; s < 5; s++) {
      const { value, grads } = namedGrads(() => questionLoss(trained, q, rows), params);
      adamStep(params, grads, adam, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, decoupled: true });
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.tidy(() => questionLoss(trained, q, rows).dataSync()[0]!)).toBeLessThan(start * 0.8);
    disposeAdamState(adam);
    disposeLlama(trained);
  }, 60_000);
  it('draws reproducible rows per (seed, step) and rejects malformed sets', () => {
    expect(questionRowsAt(100, 8, 3, 7)).toEqual(questionRowsAt(100, 8, 3, 7));
    expect(questionRowsAt(100, 8, 3, 7)).not.toEqual(questionRowsAt(100, 8, 3, 8));
    expect(questionRowsAt(100, 8, 3, 7).every((r) => r >= 0 && r < 100)).toBe(true);
    const set = qs();
    expect(() => encodeQuestions(tok, [])).toThrow(/no questions/);
    expect(() => encodeQuestions(tok, [set[0]!, { ...set[1]!, candidates: ['No', 'Yes'] }])).toThrow(/question 1 has candidates/);
    expect(() => encodeQuestions(tok, [{ ...set[0]!, answers: ['Maybe'] }])).toThrow(/question 0 needs exactly one answer/);
  });
});
