// General-knowledge probes for any loaded model, with or without adapters: held-out perplexity of a
// text, a unigram baseline for scale, and cloze accuracy on fact prompts (rank of the right completion
// among every object of the relation, by summed log-probability of its tokens).
// Reference: Petroni et al., LAMA (2019) for cloze probing.
import * as tf from '@tensorflow/tfjs';
import type { AdapterHook } from '../llm/llama';
import { decoderLogits } from '../llm/llama';
import { perplexity, type PerplexityResult } from '../llm/perplexity';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import { candidatesOf, CLOZE, type Fact, type Relation } from './facts';

/** Adapters for a batch of a given size (per-sample adapters need one weight per row), or none. */
export type AdapterForBatch = (batchSize: number) => AdapterHook | undefined;

/** Perplexity of the first maxTokens tokens of a text (BOS first), sliding window. */
export async function textPerplexity(m: LlamaModel, tok: KitTokenizer, text: string, opts: { maxTokens: number; window: number; stride: number; adapter?: AdapterHook }): Promise<PerplexityResult> {
  const ids = tok.encode(text, { addBos: true }).slice(0, opts.maxTokens);
  return perplexity(m, ids, { window: opts.window, stride: opts.stride, ...(opts.adapter ? { adapter: opts.adapter } : {}) });
}

/** Perplexity of a unigram model (add-one smoothed counts of `trainIds`) on `ids` after the first token. */
export function unigramPerplexity(trainIds: ArrayLike<number>, ids: readonly number[], vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (let i = 0; i < trainIds.length; i++) counts[trainIds[i]!]! += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  let nll = 0;
  for (let i = 1; i < ids.length; i++) nll -= Math.log(counts[ids[i]!]! / total);
  return Math.exp(nll / (ids.length - 1));
}

/** Cloze results of one relation and phrasing. */
export interface ClozeResult {
  readonly relation: Relation;
  readonly phrasing: 'heldIn' | 'unseen';
  readonly facts: number;
  readonly candidates: number;
  /** Share of facts whose right object ranks first. */
  readonly top1: number;
  /** 1 / candidates. */
  readonly chance: number;
  /** Mean 1-based rank of the right object. */
  readonly meanRank: number;
}

/** Summed log-probability of each candidate continuation after one prompt. @returns [candidates] */
export async function continuationScores(m: LlamaModel, prompt: number[], conts: number[][], adapterFor?: AdapterForBatch): Promise<Float64Array> {
  const n = conts.length, T = prompt.length + Math.max(...conts.map((c) => c.length));
  const ids = new Int32Array(n * T);
  conts.forEach((c, r) => {
    prompt.forEach((t, i) => { ids[r * T + i] = t; });
    c.forEach((t, i) => { ids[r * T + prompt.length + i] = t; });
  });
  const adapter = adapterFor?.(n);
  const lp = tf.tidy(() => tf.logSoftmax(decoderLogits(m, { ids: tf.tensor2d(ids, [n, T], 'int32'), ...(adapter ? { adapter } : {}) })));
  const data = (await lp.data()) as Float32Array;
  lp.dispose();
  const V = m.config.vocabSize, out = new Float64Array(n);
  conts.forEach((c, r) => {
    let s = 0;
    c.forEach((t, i) => { s += data[(r * T + prompt.length + i - 1) * V + t]!; });
    out[r] = s;
  });
  return out;
}

/** Cloze accuracy of `facts` of one relation under one phrasing; candidates = all objects of that relation in `allFacts`. */
export async function clozeAccuracy(m: LlamaModel, tok: KitTokenizer, allFacts: readonly Fact[], relation: Relation, phrasing: 'heldIn' | 'unseen',
  opts: { maxFacts?: number; adapterFor?: AdapterForBatch } = {}): Promise<ClozeResult> {
  const cands = candidatesOf(allFacts, relation);
  const conts = cands.map((c) => tok.encode(' ' + c));
  const facts = allFacts.filter((f) => f.relation === relation).slice(0, opts.maxFacts ?? Infinity);
  let hits = 0, rankSum = 0;
  for (const f of facts) {
    const scores = await continuationScores(m, tok.encode(CLOZE[relation][phrasing](f.subject), { addBos: true }), conts, opts.adapterFor);
    const right = scores[cands.indexOf(f.object)]!;
    const rank = 1 + scores.reduce((a, s) => a + (s > right ? 1 : 0), 0);
    if (rank === 1) hits++;
    rankSum += rank;
  }
  return { relation, phrasing, facts: facts.length, candidates: cands.length, top1: hits / facts.length, chance: 1 / cands.length, meanRank: rankSum / facts.length };
}
