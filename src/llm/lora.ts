// LoRA on the frozen decoder's projections: h = W0 x + (alpha/r) B A dropout(x), A [r, in] seeded
// kaiming-uniform, B [out, r] zero (so training starts at the base model); merge into and unmerge from
// the base weights. Reference: Hu et al., LoRA (2021); Hugging Face PEFT (init and naming).
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import { makeRng, type Rng } from '../core/rng';
import type { AdapterHook } from './layers';
import { adapterDropout, adapterKey, checkLowRank, projectionShape, WEIGHT_OF, type LowRankConfig } from './low-rank';
import type { LlamaLayerWeights, LlamaModel } from './weights';
import { ownedVariable } from '../core/variable';

/** LoRA parameters: per (layer, target) lora_A [r, in] and lora_B [out, r], keyed by adapterKey. */
export interface Lora {
  readonly config: LowRankConfig;
  readonly params: Record<string, tf.Variable>;
}

function uniform(shape: [number, number], bound: number, rng: Rng): tf.Tensor2D {
  const v = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < v.length; i++) v[i] = (2 * rng.next() - 1) * bound;
  return tf.tensor2d(v, shape);
}

/**
 * Creates LoRA parameters for every layer and target, seeded: A ~ U(-1/sqrt(in), 1/sqrt(in)) (PEFT's
 * kaiming_uniform with a = sqrt(5)), B = 0. The caller owns the variables.
 */
export function initLora(m: LlamaModel, config: LowRankConfig, seed: number): Lora {
  checkLowRank(config, 'LoraConfig');
  const rng = makeRng(seed);
  const params: Record<string, tf.Variable> = {};
  for (let l = 0; l < m.config.numHiddenLayers; l++) {
    for (const proj of config.targets) {
      const [out, inp] = projectionShape(m, proj);
      params[adapterKey(l, proj, 'lora_A.weight')] = ownedVariable(uniform([config.r, inp], 1 / Math.sqrt(inp), rng));
      params[adapterKey(l, proj, 'lora_B.weight')] = ownedVariable(tf.zeros([out, config.r]));
    }
  }
  return { config, params };
}

/** The hook adding (alpha/r) (dropout(x) A^T) B^T to each targeted projection; x stays 2-D [B*T, in]. */
export function loraHook(lora: Lora, mode: ForwardMode): AdapterHook {
  const scale = lora.config.alpha / lora.config.r;
  const targets = new Set(lora.config.targets);
  return (layer, proj, x, y) => {
    if (!targets.has(proj)) return y;
    return tf.tidy(() => {
      const a = lora.params[adapterKey(layer, proj, 'lora_A.weight')]!, b = lora.params[adapterKey(layer, proj, 'lora_B.weight')]!;
      const low = tf.matMul(adapterDropout(x, lora.config.dropout, mode, `lora${layer}${proj}`), a, false, true); // [B*T, r]
      return tf.add(y, tf.mul(tf.matMul(low, b, false, true), scale)) as tf.Tensor2D;
    });
  };
}

/**
 * A model whose targeted weights are W + sign (alpha/r) B A (sign -1 unmerges). Untargeted tensors are
 * shared with the input model; the new ones belong to the caller (free them with disposeMerged).
 */
export function mergeLora(m: LlamaModel, lora: Lora, sign: 1 | -1 = 1): LlamaModel {
  const scale = (sign * lora.config.alpha) / lora.config.r;
  const layers = m.weights.layers.map((l, li): LlamaLayerWeights => {
    const out: Record<string, unknown> = { ...l };
    for (const proj of lora.config.targets) {
      const key = WEIGHT_OF[proj];
      const a = lora.params[adapterKey(li, proj, 'lora_A.weight')]!, b = lora.params[adapterKey(li, proj, 'lora_B.weight')]!;
      out[key] = tf.tidy(() => tf.add(l[key], tf.mul(tf.matMul(b, a), scale)));
    }
    return out as unknown as LlamaLayerWeights;
  });
  return { config: m.config, weights: { ...m.weights, layers } };
}

/** Disposes the tensors mergeLora created for `lora`'s targets (not the shared ones). */
export function disposeMerged(merged: LlamaModel, lora: Lora): void {
  for (const l of merged.weights.layers) for (const proj of lora.config.targets) l[WEIGHT_OF[proj]].dispose();
}
