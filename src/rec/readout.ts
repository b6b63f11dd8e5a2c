// The hidden states an LLM recommender reads its score from: the final-normed state at the last position
// of each prompt (the "Yes" logit is this state times one head row), and the same for any short texts
// (e.g. an item's genre cloze, the state from which the LLM names the genre). A linear readout fitted on
// these states asks how much of the label the frozen LLM already represents, apart from how well a LoRA
// learns to use it. Inside TALLRec's prompt the state where the target title ends is read too: the item's
// state in context, before the rest of the question.
// Reference: Alain & Bengio, Understanding intermediate layers using linear classifier probes (2016).
import * as tf from '@tensorflow/tfjs';
import { withHeapContext } from '../backend/heap';
import { stopIfInterrupted } from '../core/interrupt';
import type { InteractionSplit } from '../data/types';
import { decoderHidden } from '../llm/model';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import { makePromptBatch } from './batch';
import type { EncodedPrompts } from './encode';
import { TALLREC_TEMPLATE } from './prompt';

/**
 * The final-normed hidden states at the given positions of each left-padded row, counted from its end
 * (0 = the last position), from one forward pass. @returns one [B, d] float32 tensor per position
 */
export function hiddenAt(llm: LlamaModel, ids: tf.Tensor2D, mask: tf.Tensor2D, fromEnd: readonly number[] = [0]): tf.Tensor2D[] {
  const [B, T] = ids.shape, d = llm.config.hiddenSize;
  for (const k of fromEnd) if (!(Number.isInteger(k) && k >= 0 && k < T)) throw new Error(`hiddenAt: position ${k} from the end is outside a batch of ${T} positions`);
  return tf.tidy(() => {
    const h = decoderHidden(llm, { ids, mask });
    return fromEnd.map((k) => tf.reshape(tf.slice(h, [0, T - 1 - k, 0], [B, 1, d]), [B, d]) as tf.Tensor2D);
  });
}

/**
 * Tokens after the target title in TALLRec's prompt, from the space before "Answer" on: the title's
 * closing quote and the "?" may share a token with the title's end, the rest of the template does not.
 */
export function tallrecSuffixIds(tok: KitTokenizer): number[] {
  const after = TALLREC_TEMPLATE.slice(TALLREC_TEMPLATE.indexOf('<TargetItemTitle>') + '<TargetItemTitle>'.length);
  return tok.encode(after.slice(after.indexOf(' ')));
}

/**
 * How many positions before the end each row's target title ends (the token holding its last character):
 * the length of tallrecSuffixIds, when every row ends with exactly those tokens; null when a row does not
 * (a tokenizer that merges across the boundary), so the position is not known.
 */
export function titleEndFromEnd(enc: EncodedPrompts, rows: readonly number[], tok: KitTokenizer): number | null {
  if (enc.kind !== 'tallrec') throw new Error(`titleEndFromEnd: reads TALLRec prompts, got ${enc.kind}`);
  const suffix = tallrecSuffixIds(tok);
  for (const r of rows) {
    const t = enc.ids[r]!;
    if (t.length <= suffix.length || suffix.some((id, k) => t[t.length - suffix.length + k] !== id)) return null;
  }
  return suffix.length;
}

async function collect(llm: LlamaModel, n: number, batchSize: number, fromEnd: readonly number[], what: string, batch: (start: number, end: number) => { B: number; T: number; ids: Int32Array; mask: Float32Array }): Promise<Float32Array[]> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`${what}: batchSize must be an integer >= 1, got ${batchSize}`);
  const d = llm.config.hiddenSize, out = fromEnd.map(() => new Float32Array(n * d));
  for (let s = 0; s < n; s += batchSize) {
    await stopIfInterrupted(s, () => `${what}: interrupted at row ${s} of ${n}`);
    const b = batch(s, Math.min(n, s + batchSize));
    const hs = withHeapContext({ what, model: 'readout', batchSize: b.B, seqLen: b.T, hint: 'a smaller batch' }, () => tf.tidy(() =>
      hiddenAt(llm, tf.tensor2d(b.ids, [b.B, b.T], 'int32'), tf.tensor2d(b.mask, [b.B, b.T]), fromEnd)));
    for (const [i, h] of hs.entries()) out[i]!.set(await h.data() as Float32Array, s * d);
    tf.dispose(hs);
  }
  return out;
}

/**
 * States of the given rows' encoded prompts at each position of `fromEnd` (0 = the last; default just
 * that), from one forward pass. @returns one row-major [rows.length, hiddenSize] array per position
 */
export async function promptStates(llm: LlamaModel, enc: EncodedPrompts, split: InteractionSplit, rows: readonly number[], padId: number, batchSize = 32, fromEnd: readonly number[] = [0]): Promise<Float32Array[]> {
  return collect(llm, rows.length, batchSize, fromEnd, 'promptStates', (s, e) => makePromptBatch(enc, split, rows.slice(s, e), padId));
}

/** Last-position states of texts (BOS added, left-padded with padId). @returns row-major [texts.length, hiddenSize] */
export async function textStates(llm: LlamaModel, tok: KitTokenizer, texts: readonly string[], padId: number, batchSize = 64): Promise<Float32Array> {
  const encoded = texts.map((t) => tok.encode(t, { addBos: true }));
  const [out] = await collect(llm, texts.length, batchSize, [0], 'textStates', (s, e) => {
    const part = encoded.slice(s, e), B = part.length, T = Math.max(...part.map((x) => x.length));
    const ids = new Int32Array(B * T).fill(padId), mask = new Float32Array(B * T);
    part.forEach((x, b) => { ids.set(x, b * T + T - x.length); mask.fill(1, b * T + T - x.length, (b + 1) * T); });
    return { B, T, ids, mask };
  });
  return out!;
}
