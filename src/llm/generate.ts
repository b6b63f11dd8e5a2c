// Text generation with a KV cache: greedy (temperature 0), temperature sampling and nucleus (top-p)
// sampling, seeded; stops at a stop token or after maxNewTokens; optionally with adapters active.
// Reference: Holtzman et al., The Curious Case of Neural Text Degeneration (2020) (top-p).
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange } from '../core/config';
import { makeRng, type Rng } from '../core/rng';
import { adapterHook, type AdapterSpec } from './adapters';
import { KVCache } from './kv-cache';
import type { AdapterHook } from './layers';
import { lastTokenLogits } from './model';
import type { LlamaModel } from './weights';

/** Generation settings. */
export interface GenerateOptions {
  /** Most tokens to produce (>= 0; required). */
  readonly maxNewTokens: number;
  /** Softmax temperature; 0 = greedy (argmax). Default 0. */
  readonly temperature?: number;
  /** Nucleus sampling mass in (0, 1]; 1 = plain sampling. Default 1. */
  readonly topP?: number;
  /** Sampling seed. Default 0. */
  readonly seed?: number;
  /** Generation stops when one of these is produced (it is not returned); default none. */
  readonly stopTokens?: readonly number[];
  /** Use a KV cache (default true); false recomputes the whole prefix each step (for checking). */
  readonly useCache?: boolean;
  /** Adapters active during generation: a hook, or a description (batch of one: per-sample weights [1, dIn, r]); default none. */
  readonly adapter?: AdapterHook | AdapterSpec;
  /** Called after each step with the step index, the chosen token and the last-position logits [vocab]; default none. */
  readonly onStep?: (step: number, token: number, logits: Float32Array) => void;
}

/** Picks the next token from logits [vocab]: argmax when temperature <= 0, else a seeded top-p sample of softmax(logits / temperature). */
export function sampleToken(logits: Float32Array, temperature: number, topP: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  if (temperature <= 0) return best;
  const p = Array.from(logits, (l) => Math.exp((l - logits[best]!) / temperature));
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const total = p.reduce((a, b) => a + b, 0);
  // smallest set of most likely tokens whose mass reaches topP
  let mass = 0, cut = order.length;
  for (let k = 0; k < order.length; k++) {
    mass += p[order[k]!]! / total;
    if (mass >= topP) { cut = k + 1; break; }
  }
  const kept = order.slice(0, cut), keptMass = kept.reduce((a, i) => a + p[i]!, 0);
  let r = rng.next() * keptMass;
  for (const i of kept) { r -= p[i]!; if (r <= 0) return i; }
  return kept[kept.length - 1]!;
}

/** Generates up to maxNewTokens after a prompt of token ids (batch of one). @returns the new token ids */
export async function generate(m: LlamaModel, prompt: readonly number[], opts: GenerateOptions): Promise<number[]> {
  if (prompt.length === 0) throw new Error('generate: the prompt must hold at least one token (e.g. BOS)');
  for (const t of prompt) if (!(Number.isInteger(t) && t >= 0 && t < m.config.vocabSize)) throw new Error(`generate: prompt token ${t} is outside [0, ${m.config.vocabSize})`);
  checkInt('generate', 'maxNewTokens', opts.maxNewTokens, 0);
  const temperature = opts.temperature ?? 0, topP = opts.topP ?? 1;
  checkRange('generate', 'temperature', temperature, 0, 1e6);
  checkRange('generate', 'topP', topP, 0, 1, true);
  const adapter = typeof opts.adapter === 'function' ? opts.adapter : adapterHook(opts.adapter);
  const rng = makeRng(opts.seed ?? 0);
  const stop = new Set(opts.stopTokens ?? []);
  const useCache = opts.useCache ?? true;
  const cache = useCache ? new KVCache() : undefined;
  const seq = [...prompt], out: number[] = [];
  try {
    let feed = seq.slice();
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(feed, [1, feed.length], 'int32');
        return lastTokenLogits(m, { ids, ...(adapter ? { adapter } : {}) }, null, cache);
      });
      const l = (await logits.data()) as Float32Array;
      logits.dispose();
      const next = sampleToken(l, temperature, topP, rng);
      opts.onStep?.(step, next, l);
      if (stop.has(next)) break;
      out.push(next);
      seq.push(next);
      feed = useCache ? [next] : seq.slice();
    }
    return out;
  } finally {
    cache?.dispose();
  }
}
