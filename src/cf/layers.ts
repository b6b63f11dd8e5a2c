// Small functional layers shared by the sequence CF models (SASRec, DIN): linear, layer norm, seeded
// dropout and the padded embedding lookup. Each reads parameters from a CFModel's params by prefix.
// Reference: torch.nn.Linear / LayerNorm / Dropout semantics.
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import { dropoutMask } from '../backend/dropout-mask';
import { fusedLayerNorm, fusedLayerNormAvailable } from '../backend/layer-norm';

type Params = Readonly<Record<string, tf.Variable>>;

function param(p: Params, key: string): tf.Variable {
  const v = p[key];
  if (!v) throw new Error(`missing parameter "${key}"; have: ${Object.keys(p).join(', ')}`);
  return v;
}

/** x @ W + b over the last axis (W is [dIn, dOut], as linearVars makes it). @returns [..., dOut] float32 */
export function linear(p: Params, prefix: string, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const w = param(p, `${prefix}.weight`), b = param(p, `${prefix}.bias`);
    const dIn = w.shape[0]!, dOut = w.shape[1]!;
    const lead = x.shape.slice(0, -1);
    const y = tf.add(tf.matMul(tf.reshape(x, [-1, dIn]), w), b);
    return tf.reshape(y, [...lead, dOut]);
  });
}

/** Layer norm over the last axis with gain `${prefix}.weight` and shift `${prefix}.bias`. @returns x.shape float32 */
export function layerNorm(p: Params, prefix: string, x: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    if (fusedLayerNormAvailable()) return fusedLayerNorm(x, param(p, `${prefix}.weight`), param(p, `${prefix}.bias`), eps);
    const { mean, variance } = tf.moments(x, -1, true);
    const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(xhat, param(p, `${prefix}.weight`)), param(p, `${prefix}.bias`));
  });
}

/**
 * Inverted dropout (kept values scaled by 1/(1-rate)) when mode.training, else the identity. The mask
 * is drawn from mode.seed and a per-call-site name, so a step is reproducible and sites are independent.
 * @returns x.shape float32
 */
export function dropout(x: tf.Tensor, rate: number, mode: ForwardMode, site: string): tf.Tensor {
  // a mask from one JS loop, not tf.dropout (per-element seedrandom draws: ~30 of ~100 s of a SASRec epoch)
  return tf.tidy(() => (mode.training && rate > 0 ? tf.mul(x, dropoutMask(x.shape, rate, `${mode.seed}:${site}`)) : x));
}

/**
 * Rows of an [n, d] table for indices in [0, n]; index n (the kit's history padding index) reads a
 * constant zero row that receives no gradient, like nn.Embedding(padding_idx=...). @returns [...idx.shape, d] float32
 */
export function paddedGather(table: tf.Tensor2D, idx: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.gather(tf.concat([table, tf.zeros([1, table.shape[1]])], 0), idx));
}

/**
 * The last `len` columns of a left-padded [B, L] history (all of it when L <= len). @returns [B, min(L, len)] int32
 */
export function lastColumns(hist: tf.Tensor2D, len: number): tf.Tensor2D {
  return tf.tidy(() => {
    const L = hist.shape[1];
    return L <= len ? hist : tf.slice(hist, [0, L - len], [-1, len]);
  });
}
