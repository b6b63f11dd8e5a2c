// Perplexity of a token sequence with a sliding window (window W, stride S): each window scores only
// the tokens the previous window did not, so every token after the first is scored once with up to
// W-1 tokens of context. Reference: Hugging Face "Perplexity of fixed-length models" guide.
import * as tf from '@tensorflow/tfjs';
import { decoderLogits, type AdapterHook } from './llama';
import type { LlamaModel } from './weights';

/** Summed negative log-likelihood, scored tokens and their perplexity exp(nll / tokens). */
export interface PerplexityResult {
  readonly nll: number;
  readonly tokens: number;
  readonly ppl: number;
}

/** Sliding-window settings. */
export interface PerplexityOptions {
  /** Window length (<= the model's context). */
  readonly window: number;
  /** Step between window starts (<= window). */
  readonly stride: number;
  /** Windows per forward pass. */
  readonly batch?: number;
  /** Adapters active while scoring. */
  readonly adapter?: AdapterHook;
}

/** Windows as [start, end, firstScored] (targets at positions firstScored..end-1 of the sequence). */
export function slidingWindows(n: number, window: number, stride: number): [number, number, number][] {
  if (!(window >= 2 && stride >= 1 && stride <= window)) throw new Error(`perplexity: need window >= 2 and 1 <= stride <= window, got window ${window}, stride ${stride}`);
  const out: [number, number, number][] = [];
  let prevEnd = 0;
  for (let begin = 0; begin < n - 1; begin += stride) {
    const end = Math.min(begin + window, n);
    out.push([begin, end, Math.max(prevEnd, begin + 1)]);
    prevEnd = end;
    if (end === n) break;
  }
  return out;
}

/** Perplexity of `ids` (a token sequence, usually starting with BOS) under the model. */
export async function perplexity(m: LlamaModel, ids: readonly number[], opts: PerplexityOptions): Promise<PerplexityResult> {
  const wins = slidingWindows(ids.length, opts.window, opts.stride);
  const batch = opts.batch ?? 8;
  let nll = 0, tokens = 0;
  for (let w0 = 0; w0 < wins.length; w0 += batch) {
    const group = wins.slice(w0, w0 + batch);
    const T = Math.max(...group.map(([b, e]) => e - b));
    // right-pad shorter windows (causal attention: padding after a row never affects its earlier positions)
    const inp = new Int32Array(group.length * T), tgt = new Int32Array(group.length * T).fill(-1);
    group.forEach(([b, e, first], r) => {
      for (let t = 0; t < e - b; t++) inp[r * T + t] = ids[b + t]!;
      for (let p = first; p < e; p++) tgt[r * T + (p - 1 - b)] = ids[p]!;
    });
    const nllT = tf.tidy(() => {
      const logits = decoderLogits(m, { ids: tf.tensor2d(inp, [group.length, T], 'int32'), ...(opts.adapter ? { adapter: opts.adapter } : {}) });
      const lp = tf.logSoftmax(tf.reshape(logits, [group.length * T, m.config.vocabSize]));
      const y = tf.tensor1d(tgt, 'int32');
      const valid = tf.greaterEqual(y, tf.scalar(0, 'int32'));
      const picked = tf.sum(tf.mul(lp, tf.cast(tf.oneHot(tf.maximum(y, tf.scalar(0, 'int32')) as tf.Tensor1D, m.config.vocabSize), 'float32')), 1);
      return tf.neg(tf.sum(tf.mul(picked, tf.cast(valid, 'float32'))));
    });
    nll += (await nllT.data())[0]!;
    nllT.dispose();
    tokens += tgt.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0);
  }
  return { nll, tokens, ppl: Math.exp(nll / tokens) };
}
