// What LoRA and the per-sample adapter share: placement/rank/scale config, the training mode (seeded
// dropout), PEFT-style parameter names, projection shapes, and composition of adapter hooks.
// Reference: Hu et al., LoRA (2021); Hugging Face PEFT (parameter naming).
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange } from '../core/config';
import type { AdapterHook } from './layers';
import { PROJECTIONS, type LlamaLayerWeights, type LlamaModel, type Projection } from './weights';
import { dropoutMask } from '../backend/dropout-mask';
import type { ForwardMode } from '../core/types';

/** Adapter placement and scale. */
export interface LowRankConfig {
  /** Rank r (required; TALLRec's LoRA: 8). */
  readonly r: number;
  /** Scale numerator: updates are multiplied by alpha / r (required; TALLRec: 16). */
  readonly alpha: number;
  /** Dropout rate on the adapter's input, in [0, 0.99] (training only; required; TALLRec: 0.05). */
  readonly dropout: number;
  /** Projections that get an adapter, in every layer (required; TALLRec: q_proj, v_proj). */
  readonly targets: readonly Projection[];
}

/** Throws, naming the field, unless the config is usable. */
export function checkLowRank(c: LowRankConfig, what: string): void {
  checkInt(what, 'r', c.r, 1);
  checkRange(what, 'alpha', c.alpha, 0, 1e6, true);
  checkRange(what, 'dropout', c.dropout, 0, 0.99);
  if (c.targets.length === 0) throw new Error(`${what}.targets must name at least one of ${PROJECTIONS.join(', ')}`);
  for (const t of c.targets) if (!(PROJECTIONS as readonly string[]).includes(t)) throw new Error(`${what}.targets: unknown projection "${t}" (known: ${PROJECTIONS.join(', ')})`);
}

/** The LlamaLayerWeights field of each projection. */
export const WEIGHT_OF: Readonly<Record<Projection, 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down'>> = Object.freeze({ q_proj: 'q', k_proj: 'k', v_proj: 'v', o_proj: 'o', gate_proj: 'gate', up_proj: 'up', down_proj: 'down' });

/** [out, in] of a projection in a model. */
export function projectionShape(m: LlamaModel, proj: Projection): [number, number] {
  const w = (m.weights.layers[0] as LlamaLayerWeights)[WEIGHT_OF[proj]];
  return [w.shape[0], w.shape[1]];
}

/** Adapter parameter name as PEFT names it (without the base_model prefix), e.g. model.layers.0.self_attn.q_proj.lora_A.weight. */
export function adapterKey(layer: number, proj: Projection, part: string): string {
  const group = ['gate_proj', 'up_proj', 'down_proj'].includes(proj) ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${group}.${proj}.${part}`;
}

/** Inverted dropout on the adapter input in training mode, seeded by (mode.seed, site); identity otherwise. @returns x.shape */
export function adapterDropout<T extends tf.Tensor>(x: T, rate: number, mode: ForwardMode, site: string): T {
  if (!(mode.training && rate > 0)) return x;
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, rate, `${mode.seed}:${site}`)) as T);
}

/** Runs several hooks in sequence, each adding its update to the previous output (e.g. LoRA and a per-sample adapter). */
export function composeHooks(...hooks: readonly (AdapterHook | undefined)[]): AdapterHook {
  const hs = hooks.filter((h): h is AdapterHook => h !== undefined);
  return (layer, proj, x, y, B, T) => hs.reduce((acc, h) => h(layer, proj, x, acc, B, T), y);
}
