// CoLLM's mapping from a CF model's embedding space into the LLM's token-embedding space, shared by
// users and items: Linear(d, 10d) -> ReLU -> Linear(10d, dModel), no dropout.
// Reference: Zhang et al., CoLLM (arXiv 2310.19488) §3.2; docs/methods.md §5.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../core/rng';
import { ownedVariable } from '../core/variable';

/** Mapping parameters, named as in CoLLM's llama_proj. */
export type CollmMapping = Record<string, tf.Variable>;

/** Seeded torch-default initialisation (uniform +-1/sqrt(fanIn)) of the two layers. */
export function initMapping(dCf: number, dModel: number, seed: number, hiddenMult = 10): CollmMapping {
  const rng = makeRng(seed);
  const lin = (inp: number, out: number): [tf.Variable, tf.Variable] => {
    const b = 1 / Math.sqrt(inp);
    const w = Float32Array.from({ length: inp * out }, () => (2 * rng.next() - 1) * b);
    const bias = Float32Array.from({ length: out }, () => (2 * rng.next() - 1) * b);
    return [ownedVariable(tf.tensor2d(w, [inp, out])), ownedVariable(tf.tensor1d(bias))];
  };
  const [w1, b1] = lin(dCf, hiddenMult * dCf), [w2, b2] = lin(hiddenMult * dCf, dModel);
  return { 'mapping.0.weight': w1, 'mapping.0.bias': b1, 'mapping.2.weight': w2, 'mapping.2.bias': b2 };
}

/** Maps CF embeddings [n, d] to token embeddings. @returns [n, dModel] float32 */
export function applyMapping(m: CollmMapping, e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(e, m['mapping.0.weight']!), m['mapping.0.bias']!));
    return tf.add(tf.matMul(h, m['mapping.2.weight']!), m['mapping.2.bias']!) as tf.Tensor2D;
  });
}
