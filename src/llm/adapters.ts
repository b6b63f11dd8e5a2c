// Adapters on the decoder's projections with the base weights frozen: LoRA (A, B, alpha/r, dropout;
// mergeable and unmergeable) and per-sample low-rank updates (each sample brings W_b [dIn, r], shared
// by all layers and modules; each (layer, module) owns a zero-initialised P [r, dOut]), computed as
// batched matmuls without materialising dIn x dOut per sample.
// Reference: Hu et al., LoRA (2021) and PEFT; Liu et al., CoRA (AAAI 2025).
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange } from '../core/config';
import { makeRng, type Rng } from '../core/rng';
import type { AdapterHook } from './llama';
import { PROJECTIONS, type LlamaLayerWeights, type LlamaModel, type Projection } from './weights';

/** Adapter placement and scale. */
export interface LowRankConfig {
  /** Rank r. */
  readonly r: number;
  /** Scale numerator: updates are multiplied by alpha / r. */
  readonly alpha: number;
  /** Dropout on the adapter's input (training only). */
  readonly dropout: number;
  /** Projections that get an adapter, in every layer. */
  readonly targets: readonly Projection[];
}

/** Whether the adapter is used for training (dropout on) and the dropout seed of this step. */
export interface AdapterMode {
  readonly training: boolean;
  readonly seed: number;
}

function checkLowRank(c: LowRankConfig, what: string): void {
  checkInt(what, 'r', c.r, 1);
  checkRange(what, 'alpha', c.alpha, 0, 1e6, true);
  checkRange(what, 'dropout', c.dropout, 0, 0.99);
  if (c.targets.length === 0) throw new Error(`${what}.targets must name at least one of ${PROJECTIONS.join(', ')}`);
  for (const t of c.targets) if (!(PROJECTIONS as readonly string[]).includes(t)) throw new Error(`${what}.targets: unknown projection "${t}" (known: ${PROJECTIONS.join(', ')})`);
}

const WEIGHT_OF: Record<Projection, keyof LlamaLayerWeights> = { q_proj: 'q', k_proj: 'k', v_proj: 'v', o_proj: 'o', gate_proj: 'gate', up_proj: 'up', down_proj: 'down' };

/** [out, in] of a projection in a model. */
export function projectionShape(m: LlamaModel, proj: Projection): [number, number] {
  const w = m.weights.layers[0]![WEIGHT_OF[proj]] as tf.Tensor2D;
  return [w.shape[0], w.shape[1]];
}

/** Adapter parameter name, as PEFT names them (without the base_model prefix). */
export function adapterKey(layer: number, proj: Projection, part: string): string {
  const group = ['gate_proj', 'up_proj', 'down_proj'].includes(proj) ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${group}.${proj}.${part}`;
}

function uniform(shape: [number, number], bound: number, rng: Rng): tf.Tensor2D {
  const v = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < v.length; i++) v[i] = (2 * rng.next() - 1) * bound;
  return tf.tensor2d(v, shape);
}

function dropRows(x: tf.Tensor2D, rate: number, mode: AdapterMode, site: string): tf.Tensor2D {
  return mode.training && rate > 0 ? tf.dropout(x, rate, undefined, `${mode.seed}:${site}`) as tf.Tensor2D : x;
}

/** LoRA parameters: lora_A [r, in] (uniform +-1/sqrt(in), as PEFT's kaiming init) and lora_B [out, r] = 0. */
export interface Lora {
  readonly config: LowRankConfig;
  readonly params: Record<string, tf.Variable>;
}

/** Creates LoRA parameters for every layer and target of a model, seeded. */
export function initLora(m: LlamaModel, config: LowRankConfig, seed: number): Lora {
  checkLowRank(config, 'LoraConfig');
  const rng = makeRng(seed);
  const params: Record<string, tf.Variable> = {};
  for (let l = 0; l < m.config.numHiddenLayers; l++) {
    for (const proj of config.targets) {
      const [out, inp] = projectionShape(m, proj);
      params[adapterKey(l, proj, 'lora_A.weight')] = tf.variable(uniform([config.r, inp], 1 / Math.sqrt(inp), rng));
      params[adapterKey(l, proj, 'lora_B.weight')] = tf.variable(tf.zeros([out, config.r]));
    }
  }
  return { config, params };
}

/** The hook that adds scale * B (A dropout(x)) to each targeted projection. */
export function loraHook(lora: Lora, mode: AdapterMode): AdapterHook {
  const scale = lora.config.alpha / lora.config.r;
  const targets = new Set(lora.config.targets);
  return (layer, proj, x, y) => {
    if (!targets.has(proj)) return y;
    return tf.tidy(() => {
      const a = lora.params[adapterKey(layer, proj, 'lora_A.weight')]!, b = lora.params[adapterKey(layer, proj, 'lora_B.weight')]!;
      const low = tf.matMul(dropRows(x, lora.config.dropout, mode, `lora${layer}${proj}`), a, false, true);
      return tf.add(y, tf.mul(tf.matMul(low, b, false, true), scale)) as tf.Tensor2D;
    });
  };
}

/**
 * A model whose targeted weights are W + sign * (alpha/r) B A (sign -1 unmerges). Untargeted tensors
 * are shared with the input model; the new ones belong to the caller (dispose with disposeMerged).
 */
export function mergeLora(m: LlamaModel, lora: Lora, sign: 1 | -1 = 1): LlamaModel {
  const scale = (sign * lora.config.alpha) / lora.config.r;
  const layers = m.weights.layers.map((l, li) => {
    const out: Record<string, unknown> = { ...l };
    for (const proj of lora.config.targets) {
      const key = WEIGHT_OF[proj];
      out[key] = tf.tidy(() => tf.add(l[key] as tf.Tensor2D, tf.mul(tf.matMul(lora.params[adapterKey(li, proj, 'lora_B.weight')]!, lora.params[adapterKey(li, proj, 'lora_A.weight')]!), scale)));
    }
    return out as unknown as LlamaLayerWeights;
  });
  return { config: m.config, weights: { ...m.weights, layers } };
}

/** Disposes the tensors mergeLora created for `lora`'s targets. */
export function disposeMerged(merged: LlamaModel, lora: Lora): void {
  for (const l of merged.weights.layers) for (const proj of lora.config.targets) (l[WEIGHT_OF[proj]] as tf.Tensor).dispose();
}

/** Per-sample adapter parameters: one P [r, out] per (layer, target), zero-initialised. */
export interface PerSampleAdapter {
  readonly config: LowRankConfig;
  readonly params: Record<string, tf.Variable>;
}

/** Creates the zero-initialised P matrices (so the adapted model starts equal to the base model). */
export function initPerSample(m: LlamaModel, config: LowRankConfig): PerSampleAdapter {
  checkLowRank(config, 'PerSampleConfig');
  const params: Record<string, tf.Variable> = {};
  for (let l = 0; l < m.config.numHiddenLayers; l++) {
    for (const proj of config.targets) params[adapterKey(l, proj, 'P.weight')] = tf.variable(tf.zeros([config.r, projectionShape(m, proj)[0]]));
  }
  return { config, params };
}

/**
 * The hook adding scale * (dropout(x) W_b) P per sample b. `sampleWeights` maps an input width to
 * [B, dIn, r] (e.g. dModel -> W_ui for q/k/v/o/gate/up; the FFN width for down_proj).
 */
export function perSampleHook(ad: PerSampleAdapter, sampleWeights: ReadonlyMap<number, tf.Tensor3D>, mode: AdapterMode): AdapterHook {
  const scale = ad.config.alpha / ad.config.r;
  const targets = new Set(ad.config.targets);
  return (layer, proj, x, y, B, T) => {
    if (!targets.has(proj)) return y;
    const dIn = x.shape[1];
    const w = sampleWeights.get(dIn);
    if (!w) throw new Error(`per-sample adapter on ${proj}: no sample weights of input width ${dIn} (have ${[...sampleWeights.keys()].join(', ')})`);
    if (w.shape[0] !== B || w.shape[2] !== ad.config.r) throw new Error(`per-sample adapter: sample weights [${w.shape}] do not fit batch ${B} and rank ${ad.config.r}`);
    return tf.tidy(() => {
      const x3 = tf.reshape(dropRows(x, ad.config.dropout, mode, `ps${layer}${proj}`), [B, T, dIn]) as tf.Tensor3D;
      const low = tf.reshape(tf.matMul(x3, w), [B * T, ad.config.r]) as tf.Tensor2D; // [B*T, r]
      return tf.add(y, tf.mul(tf.matMul(low, ad.params[adapterKey(layer, proj, 'P.weight')]!), scale)) as tf.Tensor2D;
    });
  };
}

/** Runs several hooks in sequence (e.g. LoRA and a per-sample adapter together). */
export function composeHooks(...hooks: AdapterHook[]): AdapterHook {
  return (layer, proj, x, y, B, T) => hooks.reduce((acc, h) => h(layer, proj, x, acc, B, T), y);
}
