// Ranked cloze probes for any model, with or without adapters: each question's candidates are ranked by
// the summed log-probability of their tokens after the prompt; a hit = a right answer ranks first. Used for
// item knowledge (genre, decade) and the genre-match skill probe. Reference: Petroni et al., LAMA (2019).
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import { aucUnchecked } from '../metrics/auc';
import { continuationScores, type AdapterForBatch } from './probes';

/** One question (structurally the data layer's ClozeProbe). */
export interface RankedQuestion {
  readonly prompt: string;
  readonly candidates: readonly string[];
  readonly answers: readonly string[];
}

/** Accuracy of a set of questions. */
export interface RankedClozeResult {
  /** Questions asked. */
  readonly n: number;
  /** Share of questions whose top-ranked candidate is a right answer. */
  readonly top1: number;
  /** Mean share of candidates that are right (what uniform guessing scores). */
  readonly chance: number;
  /** Mean 1-based rank of the best-ranked right answer. */
  readonly meanRank: number;
  /**
   * For yes/no sets (every question has the same two candidates, one right, both answers occurring): AUC of
   * score(first candidate) - score(second) against "the first is right". Unlike top-1 it does not depend on
   * the model's bias towards one answer (an uncalibrated model that always says "Yes" has top-1 0.5 but may
   * still rank the questions well); null for other sets.
   */
  readonly pairAuc: number | null;
}

/** Ranks the candidates of every question (BOS + prompt, each candidate after a space). */
export async function rankedClozeAccuracy(m: LlamaModel, tok: KitTokenizer, questions: readonly RankedQuestion[], opts: { adapterFor?: AdapterForBatch } = {}): Promise<RankedClozeResult> {
  const encoded = new Map<string, number[]>();
  const enc = (c: string): number[] => {
    let ids = encoded.get(c);
    if (!ids) { ids = tok.encode(' ' + c); encoded.set(c, ids); }
    return ids;
  };
  let hits = 0, rankSum = 0, chance = 0;
  const pair = questions.length > 0 && questions.every((q) => q.candidates.length === 2 && q.answers.length === 1
    && q.candidates[0] === questions[0]!.candidates[0] && q.candidates[1] === questions[0]!.candidates[1]);
  const margins: number[] = [], firstRight: number[] = [];
  for (const q of questions) {
    if (q.candidates.length === 0 || q.answers.length === 0) throw new Error(`rankedClozeAccuracy: question "${q.prompt.slice(0, 60)}" has no candidates or no answers`);
    const scores = await continuationScores(m, tok.encode(q.prompt, { addBos: true }), q.candidates.map(enc), opts.adapterFor);
    let best = -Infinity;
    q.candidates.forEach((c, k) => { if (q.answers.includes(c)) best = Math.max(best, scores[k]!); });
    if (best === -Infinity) throw new Error(`rankedClozeAccuracy: no answer of "${q.prompt.slice(0, 60)}" is among its candidates`);
    if (pair) { margins.push(scores[0]! - scores[1]!); firstRight.push(q.answers[0] === q.candidates[0] ? 1 : 0); }
    const rank = 1 + scores.reduce((a, s, k) => a + (s > best && !q.answers.includes(q.candidates[k]!) ? 1 : 0), 0);
    if (rank === 1) hits++;
    rankSum += rank;
    chance += q.answers.length / q.candidates.length;
  }
  const n = questions.length;
  const both = firstRight.includes(0) && firstRight.includes(1);
  return { n, top1: n ? hits / n : 0, chance: n ? chance / n : 0, meanRank: n ? rankSum / n : 0, pairAuc: pair && both ? aucUnchecked(firstRight, margins) : null };
}
