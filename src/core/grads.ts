// Gradients keyed by parameter name: tf.variableGrads keys by the tfjs variable's global name, while
// checkpoints and optimisers key by the model's own names. Used by every training loop.
// Reference: tfjs variableGrads; docs/architecture.md §11 (training loops).
import * as tf from '@tensorflow/tfjs';

/**
 * Value and gradients of a scalar loss w.r.t. named variables only (tf.variableGrads restricted to
 * them, so frozen tensors get none), keyed by the same names. The caller disposes value and grads. @returns value [] and grads shaped as the variables
 */
export function namedGrads(loss: () => tf.Scalar, vars: Readonly<Record<string, tf.Variable>>): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const entries = Object.entries(vars);
  if (entries.length === 0) throw new Error('namedGrads: no variables to differentiate');
  const g = tf.variableGrads(loss, entries.map(([, v]) => v));
  const grads: Record<string, tf.Tensor> = {};
  // a variable the loss does not reach gets a zero gradient, so optimisers see every name
  for (const [k, v] of entries) grads[k] = g.grads[v.name] ?? tf.zerosLike(v);
  return { value: g.value, grads };
}
