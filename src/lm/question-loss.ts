// A supervised answer loss for fixed-candidate questions (e.g. yes/no): cross-entropy of the right
// candidate's first token among the candidates' first tokens at the prompt's last position. Domain
// adaptation uses it to teach a skill directly, where the LM loss would spend one answer token per
// paragraph on it. Reference: README.md (Language models); Wei et al. 2022 (instruction tuning).
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../core/rng';
import { lastTokenLogits } from '../llm/model';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import type { RankedQuestion } from './ranked-cloze';

/** Questions encoded once: BOS + prompt ids, the right candidate's index, the candidates' first tokens. */
export interface EncodedQuestions {
  readonly ids: readonly (readonly number[])[];
  readonly answer: Int32Array;
  /** First token of " " + candidate, one per candidate (distinct). */
  readonly candidateIds: readonly number[];
  readonly padId: number;
}

/**
 * Encodes questions that all share one candidate list with exactly one right answer each.
 * @throws naming the first question that differs, or candidates whose first tokens collide
 */
export function encodeQuestions(tok: KitTokenizer, qs: readonly RankedQuestion[]): EncodedQuestions {
  if (qs.length === 0) throw new Error('encodeQuestions: no questions');
  const cands = qs[0]!.candidates;
  const candidateIds = cands.map((c) => tok.encode(' ' + c)[0]!);
  if (new Set(candidateIds).size !== candidateIds.length) throw new Error(`encodeQuestions: candidates ${JSON.stringify(cands)} share a first token`);
  const answer = new Int32Array(qs.length);
  const ids = qs.map((q, i) => {
    if (q.candidates.length !== cands.length || q.candidates.some((c, k) => c !== cands[k])) {
      throw new Error(`encodeQuestions: question ${i} has candidates ${JSON.stringify(q.candidates)}, the first has ${JSON.stringify(cands)}`);
    }
    if (q.answers.length !== 1 || !cands.includes(q.answers[0]!)) throw new Error(`encodeQuestions: question ${i} needs exactly one answer among its candidates, has ${JSON.stringify(q.answers)}`);
    answer[i] = cands.indexOf(q.answers[0]!);
    return tok.encode(q.prompt, { addBos: true });
  });
  return { ids, answer, candidateIds, padId: tok.eosId ?? 0 };
}

/** The rows of one step's question batch: seeded by (seed, step) so a resumed run sees the same ones. */
export function questionRowsAt(n: number, batch: number, seed: number, step: number): number[] {
  const rng = makeRng((seed * 998244353 + step * 104729 + 17) | 0);
  return Array.from({ length: batch }, () => rng.int(n));
}

/**
 * Mean cross-entropy of the right candidate over the given rows (left-padded batch). `smoothing` ε moves
 * ε of the target mass evenly onto all candidates (label smoothing), which keeps the answer logits from
 * growing without bound on labels that are a rule, not a preference. @returns scalar float32
 */
export function questionLoss(m: LlamaModel, q: EncodedQuestions, rows: readonly number[], smoothing = 0): tf.Scalar {
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`questionLoss: smoothing must be in [0, 1), got ${smoothing}`);
  const B = rows.length, T = Math.max(...rows.map((r) => q.ids[r]!.length)), C = q.candidateIds.length;
  const ids = new Int32Array(B * T).fill(q.padId), mask = new Float32Array(B * T), target = new Float32Array(B * C).fill(smoothing / C);
  rows.forEach((r, b) => {
    const t = q.ids[r]!, off = T - t.length;
    ids.set(t, b * T + off);
    mask.fill(1, b * T + off, (b + 1) * T);
    const k = b * C + q.answer[r]!;
    target[k] = target[k]! + 1 - smoothing;
  });
  return tf.tidy(() => {
    const logits = lastTokenLogits(m, { ids: tf.tensor2d(ids, [B, T], 'int32'), mask: tf.tensor2d(mask, [B, T]) }, q.candidateIds);
    const picked = tf.sum(tf.mul(logits, tf.tensor2d(target, [B, C])), 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
  });
}
