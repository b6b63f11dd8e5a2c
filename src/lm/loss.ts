// Next-token cross-entropy over the full vocabulary with one softmax in the backward pass
// (custom gradient: (softmax - onehot) / N), instead of tfjs's generic logSoftmax + gather chain.
// oneHot is built as int32 and cast: tfjs-wasm 4.22 writes int bits into a float32 oneHot (1 -> 1.4e-45).
import * as tf from '@tensorflow/tfjs';
import { fusedXentAvailable, softmaxXent } from '../backend/xent-kernel';

/**
 * Mean cross-entropy of logits [N, V] against target ids [N] (int32). Rows whose target is < 0 are
 * ignored (padding). @returns scalar float32
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  if (fusedXentAvailable()) return fusedCrossEntropy(logits, targets);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D, y = args[1] as tf.Tensor1D, save = args[2] as tf.GradSaveFunc;
    const V = x.shape[1];
    const valid = tf.cast(tf.greaterEqual(y, tf.scalar(0, 'int32')), 'float32');
    const n = tf.maximum(tf.sum(valid), 1);
    const onehot = tf.mul(tf.cast(tf.oneHot(tf.maximum(y, tf.scalar(0, 'int32')) as tf.Tensor1D, V), 'float32'), tf.expandDims(valid, 1));
    const lse = tf.logSumExp(x, 1);
    const picked = tf.sum(tf.mul(x, onehot), 1);
    const value = tf.div(tf.sum(tf.mul(tf.sub(lse, picked), valid)), n) as tf.Scalar;
    save([x, onehot, n, lse]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, oh, cnt, l] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.Tensor1D];
        const p = tf.exp(tf.sub(xs, tf.expandDims(l, 1)));
        const rowMask = tf.sum(oh, 1, true);
        return [tf.mul(tf.div(tf.sub(tf.mul(p, rowMask), oh), cnt), dy), tf.zerosLike(y)];
      },
    };
  });
  return tf.tidy(() => f(logits, targets) as tf.Scalar);
}

/** The same loss through the fused kernel (wasm / cpu): one pass for loss and gradient. */
function fusedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D, save = args[2] as tf.GradSaveFunc;
    const { loss, dlogits } = softmaxXent(x, targets);
    const n = tf.maximum(tf.sum(tf.cast(tf.greaterEqual(targets, tf.scalar(0, 'int32')), 'float32')), 1);
    save([dlogits, n]);
    return {
      value: tf.div(tf.sum(loss), n) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0]!, tf.div(dy, saved[1]!)), tf.zerosLike(args[1] as tf.Tensor)],
    };
  });
  return tf.tidy(() => f(logits, targets) as tf.Scalar);
}
