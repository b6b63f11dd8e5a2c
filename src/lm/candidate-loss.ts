// A supervised listwise loss for cloze questions whose candidates span several tokens (a title's genre
// among all genres, its decade among all decades): each candidate is scored by the summed log-probability
// of its tokens after the prompt, exactly as the ranked-cloze probes score it, and the loss is the
// cross-entropy of that score distribution against the right answers (shared evenly when a question has
// several, e.g. an item's genres). Domain adaptation uses it to write item knowledge into the weights
// where the LM loss spreads it over every token of a sentence. Reference: README.md (Language models);
// Petroni et al. 2019 (LAMA scoring).
import * as tf from '@tensorflow/tfjs';
import { decoderHidden, headMatrix } from '../llm/model';
import { project } from '../llm/layers';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import type { RankedQuestion } from './ranked-cloze';

/** Cloze questions encoded once: BOS + prompt ids, the candidates' tokens, the right candidates' indices. */
export interface EncodedCandidateQuestions {
  readonly prompts: readonly (readonly number[])[];
  /** Per question: the token ids of " " + each candidate. */
  readonly candidates: readonly (readonly (readonly number[])[])[];
  /** Per question: indices of the right candidates (at least one). */
  readonly answers: readonly (readonly number[])[];
  readonly padId: number;
}

/**
 * Encodes ranked-cloze questions (each with its own candidate list and one or more right answers).
 * @throws naming the first question without candidates, with duplicate candidates or with an answer outside them
 */
export function encodeCandidateQuestions(tok: KitTokenizer, qs: readonly RankedQuestion[]): EncodedCandidateQuestions {
  if (qs.length === 0) throw new Error('encodeCandidateQuestions: no questions');
  const cache = new Map<string, number[]>();
  const enc = (c: string): number[] => {
    let ids = cache.get(c);
    if (!ids) { ids = tok.encode(' ' + c); cache.set(c, ids); }
    return ids;
  };
  const answers = qs.map((q, i) => {
    if (q.candidates.length < 2) throw new Error(`encodeCandidateQuestions: question ${i} has ${q.candidates.length} candidate(s), needs at least 2`);
    if (new Set(q.candidates).size !== q.candidates.length) throw new Error(`encodeCandidateQuestions: question ${i} repeats a candidate in ${JSON.stringify(q.candidates)}`);
    if (q.answers.length === 0 || q.answers.some((a) => !q.candidates.includes(a))) throw new Error(`encodeCandidateQuestions: question ${i} needs answers among its candidates, has ${JSON.stringify(q.answers)}`);
    return q.answers.map((a) => q.candidates.indexOf(a));
  });
  return {
    prompts: qs.map((q) => tok.encode(q.prompt, { addBos: true })),
    candidates: qs.map((q) => q.candidates.map(enc)),
    answers,
    padId: tok.eosId ?? 0,
  };
}

/**
 * Mean listwise cross-entropy over the given rows. Every (question, candidate) pair is one right-padded
 * sequence (prompt + candidate; causal attention keeps padding out of earlier positions); the vocabulary
 * head runs only where a candidate token is predicted. The target puts (1 - ε) evenly on the right
 * candidates and ε evenly on all (label smoothing ε = `smoothing`). @returns scalar float32
 */
export function candidateLoss(m: LlamaModel, q: EncodedCandidateQuestions, rows: readonly number[], smoothing = 0): tf.Scalar {
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`candidateLoss: smoothing must be in [0, 1), got ${smoothing}`);
  if (rows.length === 0) throw new Error('candidateLoss: no rows');
  const B = rows.length, C = Math.max(...rows.map((r) => q.candidates[r]!.length));
  // one sequence per (row, candidate); position t predicts token t + 1, so the candidate's tokens are
  // predicted at prompt length - 1 .. prompt length + candidate length - 2
  const seqs: number[][] = [], positions: number[] = [], tokens: number[] = [], cells: number[] = [];
  rows.forEach((r, b) => {
    const p = q.prompts[r]!;
    q.candidates[r]!.forEach((c, k) => {
      c.forEach((tokId, j) => { positions.push(seqs.length, p.length + j - 1); tokens.push(tokId); cells.push(b * C + k); });
      seqs.push([...p, ...c]);
    });
  });
  const N = seqs.length, T = Math.max(...seqs.map((s) => s.length)), P = tokens.length, V = m.config.vocabSize;
  const ids = new Int32Array(N * T).fill(q.padId);
  seqs.forEach((s, n) => ids.set(s, n * T));
  const flat = new Int32Array(P), picked = new Int32Array(P), segment = new Float32Array(B * C * P);
  for (let i = 0; i < P; i++) {
    flat[i] = positions[2 * i]! * T + positions[2 * i + 1]!;
    picked[i] = i * V + tokens[i]!;
    segment[cells[i]! * P + i] = 1;
  }
  const valid = new Float32Array(B * C), target = new Float32Array(B * C);
  rows.forEach((r, b) => {
    const nC = q.candidates[r]!.length, right = q.answers[r]!;
    for (let k = 0; k < nC; k++) { valid[b * C + k] = 1; target[b * C + k] = smoothing / nC; }
    for (const a of right) target[b * C + a] = target[b * C + a]! + (1 - smoothing) / right.length;
  });
  return tf.tidy(() => {
    const h = decoderHidden(m, { ids: tf.tensor2d(ids, [N, T], 'int32') });
    const hp = tf.gather(tf.reshape(h, [N * T, m.config.hiddenSize]), tf.tensor1d(flat, 'int32')) as tf.Tensor2D;
    const tokLp = tf.gather(tf.reshape(tf.logSoftmax(project(hp, headMatrix(m))), [P * V]), tf.tensor1d(picked, 'int32'));
    // summed log-probability per (row, candidate); absent cells (shorter candidate lists) get -1e9 and no mass
    const scores = tf.add(tf.reshape(tf.matMul(tf.tensor2d(segment, [B * C, P]), tf.reshape(tokLp, [P, 1])), [B, C]),
      tf.mul(tf.sub(tf.tensor2d(valid, [B, C]), 1), 1e9));
    const right = tf.sum(tf.mul(scores, tf.tensor2d(target, [B, C])), 1);
    return tf.mean(tf.sub(tf.logSumExp(scores, 1), right)) as tf.Scalar;
  });
}
