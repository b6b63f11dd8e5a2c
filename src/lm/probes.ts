// General-knowledge probes for any loaded model, with or without adapters: held-out perplexity of a
// text, a unigram baseline for scale, and cloze accuracy on fact prompts (rank of the right completion
// among every object of the relation, by summed log-probability of its tokens).
// Reference: Petroni et al., LAMA (2019) for cloze probing.
import * as tf from '@tensorflow/tfjs';
import type { AdapterHook } from '../llm/layers';
import { decoderHidden, headMatrix, lastTokenLogits } from '../llm/model';
import { KVCache } from '../llm/kv-cache';
import { project } from '../llm/layers';
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

/** Bytes of [rows, vocab] float32 log-probabilities one candidate pass may hold (the chunk size follows). */
export const PROBE_LOGIT_BYTES = 64 * 2 ** 20;

/**
 * Summed log-probability of each candidate continuation after one prompt. The prompt runs once with a
 * KV cache, which is then shared by all candidates; the vocabulary head is applied only where a
 * candidate token is predicted, in chunks of candidates whose [rows, vocab] log-probabilities stay under
 * `maxLogitBytes` (default PROBE_LOGIT_BYTES), so large vocabularies fit. @returns [candidates]
 */
export async function continuationScores(m: LlamaModel, prompt: number[], conts: number[][], adapterFor?: AdapterForBatch, maxLogitBytes = PROBE_LOGIT_BYTES): Promise<Float64Array> {
  const n = conts.length, L = Math.max(...conts.map((c) => c.length));
  const V = m.config.vocabSize;
  const cache = new KVCache();
  try {
    const a1 = adapterFor?.(1);
    const first = tf.tidy(() => tf.logSoftmax(lastTokenLogits(m, { ids: tf.tensor2d(prompt, [1, prompt.length], 'int32'), ...(a1 ? { adapter: a1 } : {}) }, null, cache)));
    const firstLp = (await first.data()) as Float32Array;
    first.dispose();
    const out = new Float64Array(n);
    conts.forEach((c, r) => { out[r] = firstLp[c[0]!]!; });
    if (L <= 1) return out;
    const chunk = Math.max(1, Math.floor(maxLogitBytes / (4 * V * (L - 1))));
    for (let c0 = 0; c0 < n; c0 += chunk) {
      const part = conts.slice(c0, c0 + chunk), k = part.length, an = adapterFor?.(k);
      // feed tokens 0..L-2 of every candidate (right-padded; causal attention keeps padding out of earlier positions)
      const ids = new Int32Array(k * (L - 1));
      part.forEach((c, r) => c.slice(0, L - 1).forEach((t, i) => { ids[r * (L - 1) + i] = t; }));
      const tiled = new KVCache();
      try {
        tiled.layers = cache.layers.map((l) => ({ k: tf.tile(l.k, [k, 1, 1, 1]), v: tf.tile(l.v, [k, 1, 1, 1]) }));
        const lp = tf.tidy(() => {
          const h = decoderHidden(m, { ids: tf.tensor2d(ids, [k, L - 1], 'int32'), ...(an ? { adapter: an } : {}) }, tiled);
          return tf.logSoftmax(project(tf.reshape(h, [k * (L - 1), m.config.hiddenSize]) as tf.Tensor2D, headMatrix(m)));
        });
        const data = (await lp.data()) as Float32Array;
        lp.dispose();
        part.forEach((c, r) => { for (let i = 1; i < c.length; i++) out[c0 + r]! += data[(r * (L - 1) + i - 1) * V + c[i]!]!; });
      } finally {
        tiled.dispose();
      }
    }
    return out;
  } finally {
    cache.dispose();
  }
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
