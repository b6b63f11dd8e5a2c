// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_ semantics) and a finite check.
import * as tf from '@tensorflow/tfjs';

/**
 * Scales all gradients by min(1, maxNorm / (globalNorm + 1e-6)). Returns new tensors (the inputs are
 * not disposed) and the norm before clipping (NaN/Infinity when a gradient is not finite).
 */
export function clipByGlobalNorm(grads: Readonly<Record<string, tf.Tensor>>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  const names = Object.keys(grads);
  const sq = tf.tidy(() => tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  const scale = Number.isFinite(norm) ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) out[n] = tf.tidy(() => (scale < 1 ? tf.mul(grads[n]!, scale) : tf.clone(grads[n]!)));
  return { grads: out, norm };
}
