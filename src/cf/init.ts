// Seeded parameter initialisers shared by the CF models (tfjs's own initialisers draw from a global stream).
// Variables get tfjs's auto-generated unique names: several models may live in one process.
// Reference: PyTorch nn.init.normal_ / nn.Linear default init.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng';
import { ownedVariable } from '../core/variable';

/** A trainable variable filled with N(0, std^2) from the rng. @returns shape float32 */
export function normalVar(shape: number[], std: number, rng: Rng): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
  return ownedVariable(tf.tensor(v, shape, 'float32'));
}

/** A trainable variable filled with U(-bound, bound) from the rng (PyTorch Linear uses bound = 1/sqrt(fanIn)). */
export function uniformVar(shape: number[], bound: number, rng: Rng): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * bound;
  return ownedVariable(tf.tensor(v, shape, 'float32'));
}

/** A trainable variable of zeros (biases) or ones (norm gains). */
export function constVar(shape: number[], value: number): tf.Variable {
  return ownedVariable(tf.fill(shape, value, 'float32'));
}

/** A Linear layer's weight [dIn, dOut] and bias [dOut] with PyTorch's default init. */
export function linearVars(prefix: string, dIn: number, dOut: number, rng: Rng): Record<string, tf.Variable> {
  const bound = 1 / Math.sqrt(dIn);
  return { [`${prefix}.weight`]: uniformVar([dIn, dOut], bound, rng), [`${prefix}.bias`]: uniformVar([dOut], bound, rng) };
}
