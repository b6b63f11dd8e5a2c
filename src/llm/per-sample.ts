// Per-sample low-rank updates (CoRA): sample b brings W_b [dIn, r] shared by all layers and modules, each
// (layer, module) owns a zero-initialised P [r, dOut]; h = W0 x + (alpha/r) (dropout(x) W_b) P as batched
// [B, T, dIn] x [B, dIn, r] then [B*T, r] x [r, dOut] matmuls: no per-sample dIn x dOut matrix.
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645).
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import type { AdapterHook } from './layers';
import { adapterDropout, adapterKey, checkLowRank, projectionShape, type LowRankConfig } from './low-rank';
import type { LlamaModel } from './weights';
import { ownedVariable } from '../core/variable';

/** Per-sample adapter parameters: one P [r, out] per (layer, target), keyed by adapterKey(..., 'P.weight'). */
export interface PerSampleAdapter {
  readonly config: LowRankConfig;
  readonly params: Record<string, tf.Variable>;
}

/** Per-sample weights: [B, dIn, r] for every input width the targets use (dModel; the FFN width for down_proj). */
export type SampleWeights = tf.Tensor3D | ReadonlyMap<number, tf.Tensor3D>;

/** Creates the zero-initialised P matrices (the adapted model starts equal to the base model). The caller owns them. */
export function initPerSample(m: LlamaModel, config: LowRankConfig): PerSampleAdapter {
  checkLowRank(config, 'PerSampleConfig');
  const params: Record<string, tf.Variable> = {};
  for (let l = 0; l < m.config.numHiddenLayers; l++) {
    for (const proj of config.targets) params[adapterKey(l, proj, 'P.weight')] = ownedVariable(tf.zeros([config.r, projectionShape(m, proj)[0]]));
  }
  return { config, params };
}

/**
 * The hook adding (alpha/r) (dropout(x_b) W_b) P to each targeted projection of sample b. A single
 * tensor [B, dIn, r] serves every target whose input width is dIn; a map gives one per width.
 */
export function perSampleHook(ad: PerSampleAdapter, sampleWeights: SampleWeights, mode: ForwardMode): AdapterHook {
  const scale = ad.config.alpha / ad.config.r;
  const targets = new Set(ad.config.targets);
  const byWidth: ReadonlyMap<number, tf.Tensor3D> = sampleWeights instanceof tf.Tensor ? new Map([[sampleWeights.shape[1], sampleWeights]]) : sampleWeights;
  return (layer, proj, x, y, B, T) => {
    if (!targets.has(proj)) return y;
    const dIn = x.shape[1];
    const w = byWidth.get(dIn);
    if (!w) throw new Error(`per-sample adapter on ${proj}: no sample weights of input width ${dIn} (have ${[...byWidth.keys()].join(', ')})`);
    if (w.shape[0] !== B || w.shape[2] !== ad.config.r) throw new Error(`per-sample adapter: sample weights [${w.shape}] do not fit batch ${B} and rank ${ad.config.r}`);
    return tf.tidy(() => {
      const x3 = tf.reshape(adapterDropout(x, ad.config.dropout, mode, `ps${layer}${proj}`), [B, T, dIn]) as tf.Tensor3D;
      const low = tf.reshape(tf.matMul(x3, w), [B * T, ad.config.r]) as tf.Tensor2D; // [B*T, r]
      return tf.add(y, tf.mul(tf.matMul(low, ad.params[adapterKey(layer, proj, 'P.weight')]!), scale)) as tf.Tensor2D;
    });
  };
}
