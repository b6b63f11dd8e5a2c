// Perplexity of a token sequence with a sliding window (window W, stride S): each window scores only
// the tokens the previous window did not, so every token after the first is scored once with up to
// W-1 tokens of context. Reference: Hugging Face "Perplexity of fixed-length models" guide.
import * as tf from '@tensorflow/tfjs';
import { adapterHook, type AdapterSpec } from './adapters';
import type { AdapterHook } from './layers';
import { decoderLogits } from './model';
import type { LlamaModel } from './weights';

/** Summed negative log-likelihood, scored tokens and their perplexity exp(nll / tokens). */
export interface PerplexityResult {
  readonly nll: number;
  readonly tokens: number;
  readonly ppl: number;
}

/** Sliding-window settings. */
export interface PerplexityOptions {
  /** Window length in tokens (<= the model's context; required). */
  readonly window: number;
  /** Step between window starts in tokens (<= window; required). */
  readonly stride: number;
  /** Windows per forward pass; default 8, fewer when their [window, vocab] logits would pass 256 MiB (large vocabularies). */
  readonly batch?: number;
  /** Adapters active while scoring: a hook, or a description (per-sample weights need one row per window in a batch); default none. */
  readonly adapter?: AdapterHook | AdapterSpec;
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

/** Perplexity of `ids` (a token sequence, usually starting with BOS) under the model; windows run `batch` at a time. */
export async function perplexity(m: LlamaModel, ids: readonly number[], opts: PerplexityOptions): Promise<PerplexityResult> {
  if (ids.length < 2) throw new Error(`perplexity: need at least 2 tokens, got ${ids.length}`);
  const V = m.config.vocabSize;
  for (const t of ids) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`perplexity: token ${t} is outside [0, ${V})`);
  const wins = slidingWindows(ids.length, opts.window, opts.stride);
  const batch = opts.batch ?? Math.max(1, Math.min(8, Math.floor(2 ** 28 / (4 * V * opts.window))));
  const adapter = typeof opts.adapter === 'function' ? opts.adapter : adapterHook(opts.adapter);
  let nll = 0, tokens = 0;
  for (let w0 = 0; w0 < wins.length; w0 += batch) {
    const group = wins.slice(w0, w0 + batch);
    const T = Math.max(...group.map(([b, e]) => e - b));
    // right-pad shorter windows (causal attention: padding after a row never affects its earlier positions)
    const inp = new Int32Array(group.length * T), at: number[] = [];
    group.forEach(([b, e, first], r) => {
      for (let t = 0; t < e - b; t++) inp[r * T + t] = ids[b + t]!;
      // the logits at window position p-1-b predict sequence token p
      for (let p = first; p < e; p++) at.push((r * T + (p - 1 - b)) * V + ids[p]!);
    });
    const nllT = tf.tidy(() => {
      const logits = decoderLogits(m, { ids: tf.tensor2d(inp, [group.length, T], 'int32'), ...(adapter ? { adapter } : {}) });
      const lp = tf.logSoftmax(tf.reshape(logits, [group.length * T, V])); // [rows, vocab]
      return tf.neg(tf.sum(tf.gather(tf.reshape(lp, [-1]), tf.tensor1d(at, 'int32'))));
    });
    nll += (await nllT.data())[0]!;
    nllT.dispose();
    tokens += at.length;
  }
  return { nll, tokens, ppl: Math.exp(nll / tokens) };
}
