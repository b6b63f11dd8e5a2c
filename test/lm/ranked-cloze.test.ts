// Ranked cloze probes (item knowledge, the skill probe) on the shipped model: agrees with direct
// continuation scoring, reports chance and the pair AUC of yes/no sets, leaks no tensors, rejects malformed questions.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { skillProbes } from '../../src/data/genre-skill';
import { itemProbes } from '../../src/data/item-text';
import { auc } from '../../src/metrics/auc';
import { syntheticWorld } from '../../src/data/synthetic';
import { loadHfModel } from '../../src/llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import type { LlamaModel } from '../../src/llm/weights';
import { continuationScores } from '../../src/lm/probes';
import { rankedClozeAccuracy } from '../../src/lm/ranked-cloze';

const DIR = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
let m: LlamaModel, tok: KitTokenizer;
beforeAll(async () => {
  await initBackend('wasm');
  m = loadHfModel(DIR);
  tok = await loadTokenizer(DIR);
});

describe('rankedClozeAccuracy', () => {
  it('counts a hit when any right answer ranks first, matching direct scoring, without leaking tensors', async () => {
    const qs = itemProbes(syntheticWorld('tiny').items, 'genre', 'heldIn', 6);
    const before = tf.memory().numTensors;
    const r = await rankedClozeAccuracy(m, tok, qs);
    expect(tf.memory().numTensors).toBe(before);
    let hits = 0;
    for (const q of qs) {
      const s = await continuationScores(m, tok.encode(q.prompt, { addBos: true }), q.candidates.map((c) => tok.encode(' ' + c)));
      const top = q.candidates[s.indexOf(Math.max(...s))]!;
      if (q.answers.includes(top)) hits++;
    }
    expect(r.n).toBe(6);
    expect(r.top1).toBeCloseTo(hits / 6, 12);
    expect(r.chance).toBeCloseTo(qs.reduce((a, q) => a + q.answers.length / q.candidates.length, 0) / 6, 12);
    expect(r.meanRank).toBeGreaterThanOrEqual(1);
    expect(r.pairAuc).toBeNull();
  });
  it('yes/no sets get the AUC of the score margin, independent of the bias towards one answer', async () => {
    const qs = skillProbes(syntheticWorld('tiny').items, { n: 8, seed: 3, withGenres: true });
    const r = await rankedClozeAccuracy(m, tok, qs);
    const margin: number[] = [], yes: number[] = [];
    for (const q of qs) {
      const s = await continuationScores(m, tok.encode(q.prompt, { addBos: true }), q.candidates.map((c) => tok.encode(' ' + c)));
      margin.push(s[0]! - s[1]!);
      yes.push(q.answers[0] === q.candidates[0] ? 1 : 0);
    }
    expect(r.pairAuc).toBeCloseTo(auc(yes, margin), 12);
    // one class only: no AUC
    expect((await rankedClozeAccuracy(m, tok, qs.filter((q) => q.answers[0] === 'Yes'))).pairAuc).toBeNull();
  });
  it('rejects a question whose answer is not a candidate', async () => {
    await expect(rankedClozeAccuracy(m, tok, [{ prompt: 'x', candidates: ['a'], answers: ['b'] }])).rejects.toThrow(/no answer/);
  });
});
