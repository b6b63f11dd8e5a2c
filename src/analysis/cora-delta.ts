// What CoRA's per-sample update does to the frozen weights: W_ui of chosen rows, the dense update
// (alpha/r) (W_ui P)^T of one sample and module (for plots), the Frobenius norms of every (sample, layer,
// module) update without materialising them, and a hook applying one sample's W_ui to a whole batch
// (e.g. general-knowledge probes under one user/item pair's weights).
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645) §3; docs/methods.md §6.
import * as tf from '@tensorflow/tfjs';
import type { InteractionSplit } from '../data/types';
import { adapterKey, perSampleHook, type PerSampleAdapter } from '../llm/adapters';
import { EVAL_MODE } from '../core/types';
import type { AdapterHook } from '../llm/layers';
import type { Projection } from '../llm/weights';
import type { CoraMethod } from '../cora/method';

/** One sample's update norm at one (layer, module). */
export interface CoraDeltaNorm {
  /** Index of the sample in the W_ui batch. */
  readonly sample: number;
  readonly layer: number;
  readonly proj: Projection;
  /** Frobenius norm of (alpha/r) W_ui P. */
  readonly norm: number;
}

/** W_ui for chosen rows of a split (user/item pairs), in evaluation mode. @returns [B, dModel, r] float32 */
export function coraWeights(method: CoraMethod, split: InteractionSplit, rows: readonly number[]): tf.Tensor3D {
  return tf.tidy(() => method.sampleWeights(split, rows));
}

/** [dModel, r] of one sample given as [dModel, r] or [1, dModel, r]; throws on other shapes. */
function oneSampleShape(ad: PerSampleAdapter, w: tf.Tensor2D | tf.Tensor3D, what: string): [number, number] {
  const s = w.shape;
  const ok = (s.length === 2 && s[1] === ad.config.r) || (s.length === 3 && s[0] === 1 && s[2] === ad.config.r);
  if (!ok) throw new Error(`${what}: W_ui must be one sample, [dModel, ${ad.config.r}] or [1, dModel, ${ad.config.r}]; got [${s}]`);
  return [s[s.length - 2]!, ad.config.r];
}

function pOf(ad: PerSampleAdapter, layer: number, proj: Projection, what: string): tf.Variable {
  const p = ad.params[adapterKey(layer, proj, 'P.weight')];
  if (!p) throw new Error(`${what}: no P for layer ${layer} ${proj} (targets: ${ad.config.targets.join(', ')})`);
  return p;
}

/**
 * One sample's dense update of one projection, (alpha/r) (W_ui P)^T, in the model's weight orientation
 * (like loraDelta): base weight + delta gives the same outputs as the per-sample hook for that sample.
 * @param wOne [dModel, r] or [1, dModel, r] @returns [out, dModel] float32
 */
export function coraDelta(method: Pick<CoraMethod, 'perSample'>, wOne: tf.Tensor2D | tf.Tensor3D, layer: number, proj: Projection): tf.Tensor2D {
  const ad = method.perSample;
  return tf.tidy(() => {
    const w = tf.reshape(wOne, oneSampleShape(ad, wOne, 'coraDelta'));
    const p = pOf(ad, layer, proj, 'coraDelta');
    return tf.mul(tf.matMul(p, w, true, true), ad.config.alpha / ad.config.r) as tf.Tensor2D; // P^T W^T = (W P)^T
  });
}

/**
 * Frobenius norms of (alpha/r) W_b P for every sample b, layer and targeted module, via
 * ||W P||_F^2 = sum((W^T W) * (P P^T)) on [r, r] Gram matrices (no [dIn, out] matrix per sample).
 * @param w [B, dModel, r] @returns B * layers * targets records, samples outer, then layers, then targets
 */
export function coraDeltaNorms(method: Pick<CoraMethod, 'perSample'>, w: tf.Tensor3D): CoraDeltaNorm[] {
  const ad = method.perSample, scale = ad.config.alpha / ad.config.r;
  if (w.shape[2] !== ad.config.r) throw new Error(`coraDeltaNorms: W_ui has rank ${w.shape[2]}, the adapter ${ad.config.r}`);
  const sites: { layer: number; proj: Projection }[] = [];
  for (let layer = 0; adapterKey(layer, ad.config.targets[0]!, 'P.weight') in ad.params; layer++) for (const proj of ad.config.targets) sites.push({ layer, proj });
  const sq = tf.tidy(() => {
    const g = tf.matMul(w, w, true, false); // [B, r, r]
    const h = tf.stack(sites.map((s) => { const p = pOf(ad, s.layer, s.proj, 'coraDeltaNorms'); return tf.matMul(p, p, false, true); })); // [S, r, r]
    const r = ad.config.r;
    return tf.matMul(tf.reshape(g, [w.shape[0], r * r]), tf.reshape(h, [sites.length, r * r]), false, true); // [B, S]
  });
  const v = sq.dataSync();
  sq.dispose();
  const out: CoraDeltaNorm[] = [];
  for (let b = 0; b < w.shape[0]; b++) sites.forEach((s, k) => out.push({ sample: b, layer: s.layer, proj: s.proj, norm: scale * Math.sqrt(Math.max(0, v[b * sites.length + k]!)) }));
  return out;
}

/**
 * An evaluation-mode hook applying one sample's W_ui to every row of any batch (W_ui repeated B
 * times), e.g. for perplexity, cloze or generation under one user/item pair's weights. The caller
 * keeps wOne alive while the hook is used. @param wOne [dModel, r] or [1, dModel, r]
 */
export function coraHookFor(method: Pick<CoraMethod, 'perSample'>, wOne: tf.Tensor2D | tf.Tensor3D): AdapterHook {
  const ad = method.perSample;
  const [dModel, r] = oneSampleShape(ad, wOne, 'coraHookFor');
  const targets = new Set(ad.config.targets);
  return (layer, proj, x, y, B, T) => {
    if (!targets.has(proj)) return y;
    return tf.tidy(() => {
      const w = tf.tile(tf.reshape(wOne, [1, dModel, r]), [B, 1, 1]) as tf.Tensor3D; // [B, dModel, r]
      return perSampleHook(ad, w, EVAL_MODE)(layer, proj, x, y, B, T);
    });
  };
}
