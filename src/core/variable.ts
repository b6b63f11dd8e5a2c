// A variable made from an initial-value tensor that is then freed: tf.variable keeps its own handle on
// the data, so an undisposed initial value would leak one tensor (and its memory) per variable.
import * as tf from '@tensorflow/tfjs';

/** A variable holding `init`'s values; `init` is disposed. @returns same shape and dtype as init */
export function ownedVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}
