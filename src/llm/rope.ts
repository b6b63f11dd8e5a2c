// Rotary position embeddings for explicit position ids [B, T], in both layouts: 'half' (Hugging Face
// rotate_half, pairs (i, i + D/2)) and 'interleaved' (llama2.c / Meta, adjacent pairs (2i, 2i + 1)).
// Reference: Su et al., RoFormer (2021); transformers' modeling_llama.py; llama2.c run.c.
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig, RopeLayout } from './config';

/** cos and sin of every (position, frequency): each [B, 1, T, headDim/2] float32 (broadcast over heads). */
export interface RopeTables {
  readonly cos: tf.Tensor4D;
  readonly sin: tf.Tensor4D;
}

/**
 * Position ids counted from each row's first real token, so that a left-padded row gets the positions
 * it would have without padding (padding itself gets 0). @param mask [B, S] 1 = real @returns [B, S] float32
 */
export function positionIds(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.relu(tf.sub(tf.cumsum(tf.cast(mask, 'float32'), 1), 1)) as tf.Tensor2D);
}

/** Inverse frequencies theta^(-2i/D), i < D/2. @returns [headDim/2] float32 */
export function ropeInvFreq(headDim: number, theta: number): tf.Tensor1D {
  return tf.tidy(() => tf.tensor1d(Array.from({ length: headDim / 2 }, (_, i) => Math.pow(theta, (-2 * i) / headDim))));
}

/** cos/sin tables for explicit positions. @param pos [B, T] (any numeric dtype) @returns each [B, 1, T, headDim/2] float32 */
export function ropeTables(cfg: Pick<LlamaConfig, 'headDim' | 'ropeTheta'>, pos: tf.Tensor2D): RopeTables {
  const [cos, sin] = tf.tidy(() => {
    const half = cfg.headDim / 2;
    const [B, T] = pos.shape;
    const ang = tf.mul(tf.expandDims(tf.cast(pos, 'float32'), -1), ropeInvFreq(cfg.headDim, cfg.ropeTheta)); // [B, T, half]
    return [tf.reshape(tf.cos(ang), [B, 1, T, half]) as tf.Tensor4D, tf.reshape(tf.sin(ang), [B, 1, T, half]) as tf.Tensor4D];
  });
  return { cos, sin };
}

/**
 * Rotates x by the tables: pair (a, b) -> (a cos - b sin, b cos + a sin), pairs chosen by the layout.
 * @param x [B, H, T, headDim] @returns [B, H, T, headDim] float32
 */
export function applyRope(layout: RopeLayout | Pick<LlamaConfig, 'ropeLayout'>, x: tf.Tensor4D, t: RopeTables): tf.Tensor4D {
  const lay = typeof layout === 'string' ? layout : layout.ropeLayout;
  return tf.tidy(() => {
    const [B, H, T, D] = x.shape;
    const half = D / 2;
    if (lay === 'half') {
      const [a, b] = tf.split(x, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return tf.concat([tf.sub(tf.mul(a, t.cos), tf.mul(b, t.sin)), tf.add(tf.mul(b, t.cos), tf.mul(a, t.sin))], 3) as tf.Tensor4D;
    }
    const pairs = tf.reshape(x, [B, H, T, half, 2]);
    const [a, b] = tf.split(pairs, 2, 4).map((p) => tf.reshape(p, [B, H, T, half])) as [tf.Tensor4D, tf.Tensor4D];
    const ra = tf.sub(tf.mul(a, t.cos), tf.mul(b, t.sin)), rb = tf.add(tf.mul(b, t.cos), tf.mul(a, t.sin));
    return tf.reshape(tf.stack([ra, rb], 4), [B, H, T, D]) as tf.Tensor4D;
  });
}
