// The hidden states an LLM recommender reads its score from: the final-normed state at the last position
// of each prompt (the "Yes" logit is this state times one head row), and the same for any short texts
// (e.g. an item's genre cloze, the state from which the LLM names the genre). A linear readout fitted on
// these states asks how much of the label the frozen LLM already represents, apart from how well a LoRA
// learns to use it.
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

/** The final-normed hidden state at the last position of each left-padded row. @returns [B, d] float32 */
export function lastHidden(llm: LlamaModel, ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = decoderHidden(llm, { ids, mask });
    const [B, T, d] = h.shape;
    return tf.reshape(tf.slice(h, [0, T - 1, 0], [B, 1, d]), [B, d]) as tf.Tensor2D;
  });
}

async function collect(llm: LlamaModel, n: number, batchSize: number, what: string, batch: (start: number, end: number) => { B: number; T: number; ids: Int32Array; mask: Float32Array }): Promise<Float32Array> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`${what}: batchSize must be an integer >= 1, got ${batchSize}`);
  const d = llm.config.hiddenSize, out = new Float32Array(n * d);
  for (let s = 0; s < n; s += batchSize) {
    await stopIfInterrupted(s, () => `${what}: interrupted at row ${s} of ${n}`);
    const b = batch(s, Math.min(n, s + batchSize));
    const h = withHeapContext({ what, model: 'readout', batchSize: b.B, seqLen: b.T, hint: 'a smaller batch' }, () => tf.tidy(() => {
      const ids = tf.tensor2d(b.ids, [b.B, b.T], 'int32'), mask = tf.tensor2d(b.mask, [b.B, b.T]);
      return lastHidden(llm, ids, mask);
    }));
    out.set(await h.data() as Float32Array, s * d);
    h.dispose();
  }
  return out;
}

/** Last-position states of the given rows' encoded prompts. @returns row-major [rows.length, hiddenSize] */
export async function promptStates(llm: LlamaModel, enc: EncodedPrompts, split: InteractionSplit, rows: readonly number[], padId: number, batchSize = 32): Promise<Float32Array> {
  return collect(llm, rows.length, batchSize, 'promptStates', (s, e) => makePromptBatch(enc, split, rows.slice(s, e), padId));
}

/** Last-position states of texts (BOS added, left-padded with padId). @returns row-major [texts.length, hiddenSize] */
export async function textStates(llm: LlamaModel, tok: KitTokenizer, texts: readonly string[], padId: number, batchSize = 64): Promise<Float32Array> {
  const encoded = texts.map((t) => tok.encode(t, { addBos: true }));
  return collect(llm, texts.length, batchSize, 'textStates', (s, e) => {
    const part = encoded.slice(s, e), B = part.length, T = Math.max(...part.map((x) => x.length));
    const ids = new Int32Array(B * T).fill(padId), mask = new Float32Array(B * T);
    part.forEach((x, b) => { ids.set(x, b * T + T - x.length); mask.fill(1, b * T + T - x.length, (b + 1) * T); });
    return { B, T, ids, mask };
  });
}
