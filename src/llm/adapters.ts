// Adapters on the frozen decoder: a description of which are active (LoRA, per-sample low-rank, or
// both) turned into the forward's hook, the trainable variables it holds, and their gradients by name.
// Base weights are plain tensors, so gradients reach only the adapters' tf.Variables.
// Reference: Hu et al., LoRA (2021) and PEFT; Liu et al., CoRA (AAAI 2025).
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import type { AdapterHook } from './layers';
import { composeHooks } from './low-rank';
import { loraHook, type Lora } from './lora';
import { perSampleHook, type PerSampleAdapter, type SampleWeights } from './per-sample';

export * from './low-rank';
export * from './lora';
export * from './per-sample';

/** Which adapters a forward pass uses, and in which mode. */
export interface AdapterSpec {
  readonly lora?: Lora;
  /** The per-sample adapter with this batch's W_b ([B, dIn, r], or one per input width). */
  readonly perSample?: { readonly adapter: PerSampleAdapter; readonly weights: SampleWeights };
  /** Training (seeded dropout) or evaluation. */
  readonly mode: ForwardMode;
}

/** The forward's hook for a description (LoRA first, then the per-sample update), or undefined when none is active. */
export function adapterHook(spec: AdapterSpec | undefined): AdapterHook | undefined {
  if (!spec) return undefined;
  const hooks: AdapterHook[] = [];
  if (spec.lora) hooks.push(loraHook(spec.lora, spec.mode));
  if (spec.perSample) hooks.push(perSampleHook(spec.perSample.adapter, spec.perSample.weights, spec.mode));
  if (hooks.length === 0) return undefined;
  return hooks.length === 1 ? hooks[0] : composeHooks(...hooks);
}

/**
 * The trainable tensors of a description by name: LoRA A/B and P under their PEFT-style keys, and
 * per-sample weights that are tf.Variables as `sample_weights.<dIn>`.
 */
export function adapterVariables(spec: AdapterSpec): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = { ...spec.lora?.params, ...spec.perSample?.adapter.params };
  const w = spec.perSample?.weights;
  const list = w === undefined ? [] : w instanceof tf.Tensor ? [w] : [...w.values()];
  for (const t of list) if (t instanceof tf.Variable) out[`sample_weights.${t.shape[1]}`] = t;
  return out;
}
