// Binary cross-entropy on raw logits, the loss of every recommender in the kit (CF models and the LLM
// methods' "Yes" score). Reference: docs/methods.md §2 (loss = BCE-with-logits(score, label)).
import * as tf from '@tensorflow/tfjs';

/** Mean BCE-with-logits, softplus(s) - y*s computed stably. @returns [] float32 */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D | Float32Array): tf.Scalar {
  return tf.tidy(() => {
    const y = labels instanceof Float32Array ? tf.tensor1d(labels) : labels;
    return tf.mean(tf.sub(tf.add(tf.relu(logits), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), tf.mul(y, logits))) as tf.Scalar;
  });
}
