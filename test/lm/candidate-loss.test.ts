// The listwise item-question loss: equals the cross-entropy of the ranked-cloze probe's own candidate
// scores (summed token log-probabilities, continuationScores), shares the target over several right
// answers, smooths, leaks no tensors, falls when trained on, and rejects malformed questions.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { itemQuestions } from '../../src/data/item-text';
import { syntheticWorld } from '../../src/data/synthetic';
import { namedGrads } from '../../src/core/grads';
import { adamStep, disposeAdamState, initAdamState } from '../../src/core/optim';
import { loadHfModel } from '../../src/llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { candidateLoss, encodeCandidateQuestions } from '../../src/lm/candidate-loss';
import { trainables } from '../../src/lm/pretrain';
import { continuationScores } from '../../src/lm/probes';

const DIR = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
let m: LlamaModel, tok: KitTokenizer;
const items = syntheticWorld('tiny').items;
beforeAll(async () => {
  await initBackend('wasm');
  m = loadHfModel(DIR);
  tok = await loadTokenizer(DIR);
});

/** The probe's scores of question r, then the cross-entropy against `target`. */
async function manualLoss(q: ReturnType<typeof encodeCandidateQuestions>, r: number, target: number[]): Promise<number> {
  const s = await continuationScores(m, [...q.prompts[r]!], q.candidates[r]!.map((c) => [...c]));
  const mx = Math.max(...s), lse = mx + Math.log(s.reduce((a, x) => a + Math.exp(x - mx), 0));
  return target.reduce((a, t, k) => a + t * (lse - s[k]!), 0);
}

describe('candidateLoss', () => {
  const qs = itemQuestions(items, ['genre', 'decade']);
  it('is the cross-entropy of the probe scores, row by row and in a batch of mixed candidate lists', async () => {
    const q = encodeCandidateQuestions(tok, qs);
    const genre = qs.findIndex((x) => x.kind === 'genre' && x.answers.length === 1);
    const multi = qs.findIndex((x) => x.kind === 'genre' && x.answers.length >= 2);
    const decade = qs.findIndex((x) => x.kind === 'decade');
    expect(Math.min(genre, multi, decade)).toBeGreaterThanOrEqual(0);
    expect(q.candidates[genre]!.some((c) => c.length > 1)).toBe(true);
    const oneHot = (r: number): number[] => q.candidates[r]!.map((_, k) => (q.answers[r]!.includes(k) ? 1 / q.answers[r]!.length : 0));
    const manual = await Promise.all([genre, multi, decade].map((r) => manualLoss(q, r, oneHot(r))));
    const before = tf.memory().numTensors;
    const each = [genre, multi, decade].map((r) => tf.tidy(() => candidateLoss(m, q, [r]).dataSync()[0]!));
    each.forEach((v, i) => expect(v).toBeCloseTo(manual[i]!, 3));
    const batch = candidateLoss(m, q, [genre, multi, decade]);
    expect(batch.dataSync()[0]!).toBeCloseTo((manual[0]! + manual[1]! + manual[2]!) / 3, 3);
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
  it('with smoothing ε puts (1 - ε) on the right answers and ε on all, and rejects ε outside [0, 1)', async () => {
    const q = encodeCandidateQuestions(tok, qs);
    const r = qs.findIndex((x) => x.kind === 'genre' && x.answers.length >= 2), eps = 0.3, C = q.candidates[r]!.length;
    const target = q.candidates[r]!.map((_, k) => eps / C + (q.answers[r]!.includes(k) ? (1 - eps) / q.answers[r]!.length : 0));
    expect(tf.tidy(() => candidateLoss(m, q, [r], eps).dataSync()[0]!)).toBeCloseTo(await manualLoss(q, r, target), 3);
    expect(() => candidateLoss(m, q, [r], 1)).toThrow(/smoothing/);
    expect(() => candidateLoss(m, q, [])).toThrow(/no rows/);
  }, 60_000);
  it('falls when the model trains on it', () => {
    const trained = loadHfModel(DIR, { trainable: true });
    const { params } = trainables(trained);
    const adam = initAdamState(params);
    const q = encodeCandidateQuestions(tok, qs);
    const rows = [0, 1, 2, 3];
    const start = tf.tidy(() => candidateLoss(trained, q, rows).dataSync()[0]!);
    for (let s = 0; s < 6; s++) {
      const { value, grads } = namedGrads(() => candidateLoss(trained, q, rows), params);
      adamStep(params, grads, adam, { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, decoupled: true });
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.tidy(() => candidateLoss(trained, q, rows).dataSync()[0]!)).toBeLessThan(start * 0.7);
    disposeAdamState(adam);
    disposeLlama(trained);
  }, 60_000);
  it('rejects malformed questions, naming the question', () => {
    const q0 = qs[0]!;
    expect(() => encodeCandidateQuestions(tok, [])).toThrow(/no questions/);
    expect(() => encodeCandidateQuestions(tok, [q0, { ...q0, candidates: ['Drama'], answers: ['Drama'] }])).toThrow(/question 1 has 1 candidate/);
    expect(() => encodeCandidateQuestions(tok, [{ ...q0, candidates: ['A', 'A', 'B'], answers: ['A'] }])).toThrow(/question 0 repeats a candidate/);
    expect(() => encodeCandidateQuestions(tok, [{ ...q0, answers: ['Opera'] }])).toThrow(/question 0 needs answers among its candidates/);
    expect(() => encodeCandidateQuestions(tok, [{ ...q0, answers: [] }])).toThrow(/question 0 needs answers/);
  });
});
