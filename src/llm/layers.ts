// The decoder's building blocks outside attention: RMSNorm, linear projections with Hugging Face
// [out, in] weights on 2-D inputs, the adapter hook every projection passes through, and the SwiGLU MLP.
// Reference: Zhang & Sennrich, RMSNorm (2019); Shazeer, GLU variants (2020); transformers' LlamaMLP.
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsAvailable, fusedRmsNorm, fusedSwiglu } from '../backend/fused-ops';
import type { Projection } from './weights';

/**
 * Adds an adapter's contribution to one projection: x [B*T, in] is the projection's input, y [B*T, out]
 * its base output; returns the adapted output [B*T, out]. B and T give the batch layout of the rows.
 */
export type AdapterHook = (layer: number, proj: Projection, x: tf.Tensor2D, y: tf.Tensor2D, B: number, T: number) => tf.Tensor2D;

/** x * rsqrt(mean(x^2) + eps) * w over the last axis, in float32 (one fused pass on wasm + native). @returns x.shape float32 */
export function rmsNorm<T extends tf.Tensor>(x: T, w: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    if (x.dtype === 'float32' && w.dtype === 'float32' && fusedKernelsAvailable()) {
      const D = x.shape[x.rank - 1]!;
      return tf.reshape(fusedRmsNorm(tf.reshape(x, [-1, D]) as tf.Tensor2D, w, eps), x.shape) as T;
    }
    const xf = tf.cast(x, 'float32');
    return tf.mul(tf.mul(xf, tf.rsqrt(tf.add(tf.mean(tf.square(xf), -1, true), eps))), w) as T;
  });
}

/** y = x W^T (+ b) for x [N, in] and W [out, in] (the transposed matmul the wasm patch sends to XNNPACK). @returns [N, out] float32 */
export function project(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null = null): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const y = tf.matMul(x, w, false, true) as tf.Tensor2D;
    return b ? tf.add<tf.Tensor2D>(y, b) : y;
  });
}

/** Where a projection sits, for the adapter hook. */
export interface HookSite {
  readonly layer: number;
  readonly hook: AdapterHook | undefined;
  readonly B: number;
  readonly T: number;
}

/** project(x, w, b), then the adapter hook of (site.layer, name) when one is set. @returns [N, out] float32 */
export function adaptedProject(site: HookSite, name: Projection, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null = null): tf.Tensor2D {
  return tf.tidy(() => {
    const y = project(x, w, b);
    return site.hook ? site.hook(site.layer, name, x, y, site.B, site.T) : y;
  });
}

/** SwiGLU MLP down(silu(gate x) * up x), each projection through the hook. @param x [B*T, d] @returns [B*T, d] float32 */
export function swiglu(site: HookSite, w: { gate: tf.Tensor2D; up: tf.Tensor2D; down: tf.Tensor2D }, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const g = adaptedProject(site, 'gate_proj', x, w.gate);
    const u = adaptedProject(site, 'up_proj', x, w.up);
    const mid = fusedKernelsAvailable() ? fusedSwiglu(g, u) : tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D;
    return adaptedProject(site, 'down_proj', mid, w.down);
  });
}
