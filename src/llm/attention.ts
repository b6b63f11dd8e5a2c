// Grouped-query causal self-attention with a padding mask, rotary positions, optional q/k/v biases
// (Qwen2) and an optional KV cache of earlier positions.
// Reference: Ainslie et al., GQA (2023); transformers' LlamaAttention (repeat_kv).
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsAvailable, fusedMaskedSoftmax, fusedRopeHeads } from '../backend/fused-ops';
import type { LlamaConfig } from './config';
import type { LayerKV } from './kv-cache';
import { adaptedProject, type HookSite } from './layers';
import { applyRope, type RopeTables } from './rope';
import type { LlamaLayerWeights } from './weights';

/** The score of every forbidden (future or padding) key. */
const MASKED = -1e9;

/** Which keys each query may see, as a 0/1 factor and the matching additive term. */
export interface AttentionMask {
  /** [B, 1, Tn, S] 1 where query P+q may see key s (s <= P+q and s is a real token), else 0. */
  readonly keep: tf.Tensor4D;
  /** [B, 1, Tn, S] 0 where keep is 1, -1e9 elsewhere. */
  readonly bias: tf.Tensor4D;
}

/**
 * Causal + padding mask for the last Tn of S = P + Tn positions. Scores become scores * keep + bias, so
 * a forbidden score is exactly -1e9 (no rounding of s - 1e9, whose float32 steps of 64 would make the
 * output of an all-padding query jump as s moves). @param mask [B, S] 1 = real
 */
export function attentionMask(mask: tf.Tensor2D, Tn: number = mask.shape[1]): AttentionMask {
  const [keep, bias] = tf.tidy(() => {
    const [B, S] = mask.shape;
    const causal = tf.slice(tf.linalg.bandPart(tf.ones([S, S]), -1, 0), [S - Tn, 0], [Tn, S]);
    const k = tf.mul(tf.reshape(causal, [1, 1, Tn, S]), tf.reshape(tf.cast(mask, 'float32'), [B, 1, 1, S])) as tf.Tensor4D;
    return [k, tf.mul(tf.sub(1, k), MASKED) as tf.Tensor4D];
  });
  return { keep, bias };
}

/** The additive part of attentionMask alone. @param mask [B, S] @returns [B, 1, Tn, S] float32 */
export function attentionBias(mask: tf.Tensor2D, Tn: number = mask.shape[1]): tf.Tensor4D {
  return tf.tidy(() => attentionMask(mask, Tn).bias);
}

/**
 * Each of nKv key/value heads serves nHeads/nKv consecutive query heads (transformers' repeat_kv), as a
 * gather so that its gradient exists on every backend. @param x [B, nKv, S, D] @returns [B, nHeads, S, D]
 */
export function repeatKv(x: tf.Tensor4D, nHeads: number): tf.Tensor4D {
  const nKv = x.shape[1];
  if (nKv === nHeads) return x;
  return tf.tidy(() => {
    const groups = tf.tensor1d(Array.from({ length: nHeads }, (_, h) => Math.floor(h / (nHeads / nKv))), 'int32');
    return tf.gather(x, groups, 1) as tf.Tensor4D;
  });
}

/**
 * a b^T (or a b) per k/v head for grouped-query attention without repeating k/v (repeatKv's gather and
 * tile copy element by element on wasm: 3.2 of 8.2 s of a SmolLM2-135M forward): the G = H / nKv query
 * heads of a k/v head are consecutive, so a [B, H, T, X] is [B, nKv, G*T, X], one batched matmul per head.
 * @param a [B, H, T, X] @param b [B, nKv, S, X] (transposeB) or [B, nKv, X, S] @returns [B, H, T, S or X']
 */
export function groupedMatMul(a: tf.Tensor4D, b: tf.Tensor4D, transposeB: boolean): tf.Tensor4D {
  const [B, H, T, X] = a.shape, nKv = b.shape[1];
  if (nKv === H) return tf.matMul(a, b, false, transposeB) as tf.Tensor4D;
  return tf.tidy(() => {
    const y = tf.matMul(tf.reshape(a, [B, nKv, (H / nKv) * T, X]), b, false, transposeB);
    return tf.reshape(y, [B, H, T, y.shape[3]!]) as tf.Tensor4D;
  });
}

/**
 * One attention block on normed inputs x [B*T, d]: q/k/v projections (through the adapter hook), rope,
 * keys/values appended to `past`, softmax(q k^T / sqrt(D) + bias) v, output projection.
 * @param am [B, 1, T, P + T] from attentionMask @returns out [B*T, d]; k, v [B, nKv, P + T, D] (to cache)
 */
export function selfAttention(cfg: LlamaConfig, site: HookSite, l: LlamaLayerWeights, x: tf.Tensor2D, rope: RopeTables, am: AttentionMask,
  past?: LayerKV): { out: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const [outT, kT, vT] = tf.tidy(() => {
    const { B, T } = site;
    const H = cfg.numAttentionHeads, KV = cfg.numKeyValueHeads, D = cfg.headDim;
    // fused (wasm + native addon): rope and the head transpose in one pass, one masked-softmax kernel
    const fused = fusedKernelsAvailable();
    const heads = (t: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(t, [B, T, n, D]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, n, T, D]
    const ropeHeads = (t: tf.Tensor2D, n: number) => fused ? fusedRopeHeads(t, B, T, n, D, rope.cos, rope.sin, cfg.ropeLayout) : applyRope(cfg, heads(t, n), rope);
    const q = ropeHeads(adaptedProject(site, 'q_proj', x, l.q, l.qBias), H);
    let k = ropeHeads(adaptedProject(site, 'k_proj', x, l.k, l.kBias), KV);
    let v = heads(adaptedProject(site, 'v_proj', x, l.v, l.vBias), KV);
    if (past) {
      k = tf.concat([past.k, k], 2) as tf.Tensor4D;
      v = tf.concat([past.v, v], 2) as tf.Tensor4D;
    }
    const qk = groupedMatMul(q, k, true); // [B, H, T, P+T]
    const probs = fused ? fusedMaskedSoftmax(qk, am.keep, am.bias, 1 / Math.sqrt(D))
      : tf.softmax(tf.add(tf.mul(tf.mul(qk, 1 / Math.sqrt(D)), am.keep), am.bias), -1) as tf.Tensor4D;
    const o = groupedMatMul(probs, v, false); // [B, H, T, D]
    const out = adaptedProject(site, 'o_proj', tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * T, H * D]) as tf.Tensor2D, l.o);
    return [out, k, v] as [tf.Tensor2D, tf.Tensor4D, tf.Tensor4D];
  });
  return { out: outT, k: kT, v: vT };
}
