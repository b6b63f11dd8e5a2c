// Adapter sets of trained recommenders for the general-knowledge retention probes: a LoRA (TALLRec's,
// or CoLLM's, whose CF mapping only touches placeholder positions and so is absent on plain text) as
// one hook, and CoRA as one hook per sampled user/item pair (its generated W_ui applied to every row).
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645) §4 (general knowledge); docs/methods.md §5-6.
import * as tf from '@tensorflow/tfjs';
import type { InteractionSplit } from '../data/types';
import { coraHookFor, coraWeights } from './cora-delta';
import type { CoraMethod } from '../cora/method';
import { loraHook, type Lora } from '../llm/adapters';
import { EVAL_MODE } from '../core/types';
import type { AdapterSet } from '../lm/retention';

/** The base model: no adapter. */
export function baseAdapterSet(name = 'base'): AdapterSet {
  return { name, hooks: [undefined] };
}

/** Largest |difference| between two LoRAs' parameters (Infinity when their configs or names differ). */
export function loraMaxAbsDiff(a: Lora, b: Lora): number {
  if (JSON.stringify(a.config) !== JSON.stringify(b.config)) return Infinity;
  const ka = Object.keys(a.params).sort(), kb = Object.keys(b.params).sort();
  if (ka.join() !== kb.join()) return Infinity;
  return ka.reduce((mx, k) => Math.max(mx, tf.tidy(() => tf.max(tf.abs(tf.sub(a.params[k]!, b.params[k]!))).dataSync()[0]!)), 0);
}

/**
 * A trained LoRA in evaluation mode. With `same`, when `lora` equals same.lora exactly (e.g. CoLLM's
 * frozen stage-1 LoRA loaded from the TALLRec run), the set reuses same.set's hook, so that
 * measureRetention measures it once.
 */
export function loraAdapterSet(name: string, lora: Lora, same?: { readonly lora: Lora; readonly set: AdapterSet }): AdapterSet {
  if (same && loraMaxAbsDiff(lora, same.lora) === 0) return { name, hooks: same.set.hooks };
  return { name, hooks: [loraHook(lora, EVAL_MODE)] };
}

/**
 * CoRA under the W_ui of each chosen row of a split (default: every row; one hook per row). The set
 * owns the W_ui tensors: call dispose() when done with the hooks.
 */
export function coraAdapterSet(name: string, cora: CoraMethod, split: InteractionSplit, rows: readonly number[] = Array.from({ length: split.label.length }, (_, r) => r)): AdapterSet & { dispose(): void } {
  if (rows.length === 0) throw new Error('coraAdapterSet: no rows');
  const ws = tf.tidy(() => {
    const w = coraWeights(cora, split, rows); // [K, dModel, r]
    return rows.map((_, k) => tf.slice(w, [k, 0, 0], [1, w.shape[1], w.shape[2]]) as tf.Tensor3D);
  });
  return { name, hooks: ws.map((w) => coraHookFor(cora, w)), dispose: () => tf.dispose(ws) };
}
