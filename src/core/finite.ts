// Finite-value guards for training: the first parameter holding NaN or Infinity after an epoch's
// updates (the loss of the last update is computed before it, so only a parameter check sees it).
// Reference: docs/validation.md §6.
import * as tf from '@tensorflow/tfjs';

/** Thrown by an epoch when a parameter became NaN or Infinity; the epoch loop turns it into a stop. */
export class NonFiniteParameter extends Error {
  constructor(readonly parameter: string) {
    super(`parameter "${parameter}" holds NaN or Infinity`);
    this.name = 'NonFiniteParameter';
  }
}

/** Name of the first tensor (in record order) with a NaN or infinite value, or null when all are finite. */
export async function firstNonFiniteParameter(params: Readonly<Record<string, tf.Tensor>>): Promise<string | null> {
  for (const [name, t] of Object.entries(params)) {
    const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))));
    const v = (await bad.data())[0];
    bad.dispose();
    if (v) return name;
  }
  return null;
}

/** Throws NonFiniteParameter naming the first non-finite parameter, if any. */
export async function assertFiniteParameters(params: Readonly<Record<string, tf.Tensor>>): Promise<void> {
  const bad = await firstNonFiniteParameter(params);
  if (bad !== null) throw new NonFiniteParameter(bad);
}
