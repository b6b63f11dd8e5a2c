// The LLaMA-family decoder forward pass in TensorFlow.js: RMSNorm, rotary embeddings (half-split or
// interleaved), grouped-query causal attention with a padding mask, SwiGLU MLP, tied or untied head.
// Reference: Touvron et al., LLaMA (2023); transformers' modeling_llama.py / modeling_qwen2.py.
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config';
import type { LlamaLayerWeights, LlamaModel } from './weights';

/** Inputs of one forward pass. */
export interface DecoderInput {
  /** [B, T] int32 token ids (any id at padded positions). */
  readonly ids: tf.Tensor2D;
  /** [B, T] 1 for real tokens, 0 for padding (left padding); all ones when absent. */
  readonly mask?: tf.Tensor2D;
  /** Replace the input embeddings at flat positions row*T+t ([n] int32) by vectors [n, dModel]. */
  readonly embedOverride?: { readonly positions: tf.Tensor1D; readonly vectors: tf.Tensor2D };
}

/** x * rsqrt(mean(x^2) + eps) * w over the last axis. @returns x.shape float32 */
export function rmsNorm(x: tf.Tensor, w: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w));
}

/** Position ids counted from each row's first real token (left padding -> same positions as no padding). @returns [B, T] float32 */
export function positionIds(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.relu(tf.sub(tf.cumsum(mask, 1), 1)) as tf.Tensor2D);
}

/** cos and sin tables for positions [B, T]. @returns each [B, 1, T, headDim/2] float32 */
export function ropeTables(cfg: LlamaConfig, pos: tf.Tensor2D): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  return tf.tidy(() => {
    const half = cfg.headDim / 2;
    const inv = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.pow(cfg.ropeTheta, (-2 * i) / cfg.headDim)));
    const ang = tf.mul(tf.expandDims(pos, -1), inv); // [B, T, half]
    const [B, T] = pos.shape;
    return { cos: tf.reshape(tf.cos(ang), [B, 1, T, half]), sin: tf.reshape(tf.sin(ang), [B, 1, T, half]) };
  });
}

/** Rotates x [B, H, T, headDim] by the tables, in the config's layout. @returns x.shape float32 */
export function applyRope(cfg: LlamaConfig, x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, H, T, D] = x.shape;
    const half = D / 2;
    if (cfg.ropeLayout === 'half') {
      const [a, b] = tf.split(x, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return tf.concat([tf.sub(tf.mul(a, cos), tf.mul(b, sin)), tf.add(tf.mul(b, cos), tf.mul(a, sin))], 3) as tf.Tensor4D;
    }
    const pairs = tf.reshape(x, [B, H, T, half, 2]);
    const [a, b] = tf.split(pairs, 2, 4).map((t) => tf.reshape(t, [B, H, T, half])) as [tf.Tensor4D, tf.Tensor4D];
    const ra = tf.sub(tf.mul(a, cos), tf.mul(b, sin)), rb = tf.add(tf.mul(b, cos), tf.mul(a, sin));
    return tf.reshape(tf.stack([ra, rb], 4), [B, H, T, D]) as tf.Tensor4D;
  });
}

/** y = x W^T (+ b) for 2-D x [N, in] and W [out, in]. @returns [N, out] float32 */
export function project(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null = null): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const y = tf.matMul(x, w, false, true) as tf.Tensor2D;
    return b ? tf.add<tf.Tensor2D>(y, b) : y;
  });
}

/** Additive attention bias: 0 where query t may see key s (s <= t and s is real), -1e9 elsewhere. @returns [B, 1, T, T] */
export function attentionBias(mask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, T] = mask.shape;
    const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
    const allowed = tf.mul(tf.reshape(causal, [1, 1, T, T]), tf.reshape(mask, [B, 1, 1, T]));
    return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor4D;
  });
}

function attention(cfg: LlamaConfig, l: LlamaLayerWeights, x2: tf.Tensor2D, B: number, T: number, cos: tf.Tensor4D, sin: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const H = cfg.numAttentionHeads, KV = cfg.numKeyValueHeads, D = cfg.headDim;
    const heads = (t: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(t, [B, T, n, D]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = applyRope(cfg, heads(project(x2, l.q, l.qBias), H), cos, sin);
    let k = applyRope(cfg, heads(project(x2, l.k, l.kBias), KV), cos, sin);
    let v = heads(project(x2, l.v, l.vBias), KV);
    if (KV !== H) {
      // [B, KV, T, D] -> [B, H, T, D]: each kv head serves H/KV consecutive query heads
      const rep = (t: tf.Tensor4D) => tf.reshape(tf.tile(tf.expandDims(t, 2), [1, 1, H / KV, 1, 1]), [B, H, T, D]) as tf.Tensor4D;
      k = rep(k);
      v = rep(v);
    }
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), bias);
    const o = tf.matMul(tf.softmax(scores, -1), v); // [B, H, T, D]
    return project(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * T, H * D]), l.o);
  });
}

/** Final hidden states (after the last RMSNorm). @returns [B, T, dModel] float32 */
export function decoderHidden(m: LlamaModel, input: DecoderInput): tf.Tensor3D {
  return tf.tidy(() => {
    const cfg = m.config, w = m.weights;
    const [B, T] = input.ids.shape;
    const mask = input.mask ?? tf.ones([B, T]) as tf.Tensor2D;
    let x = tf.gather(w.embed, tf.reshape(input.ids, [B * T])) as tf.Tensor2D; // [B*T, d]
    if (input.embedOverride) {
      const { positions, vectors } = input.embedOverride;
      const hit = tf.scatterND(tf.expandDims(positions, 1), tf.ones([positions.shape[0]]), [B * T]);
      x = tf.add(tf.mul(x, tf.expandDims(tf.sub(1, hit), 1)), tf.scatterND(tf.expandDims(positions, 1), vectors, [B * T, cfg.hiddenSize])) as tf.Tensor2D;
    }
    const { cos, sin } = ropeTables(cfg, positionIds(mask));
    const bias = attentionBias(mask);
    for (const l of w.layers) {
      x = tf.add(x, attention(cfg, l, rmsNorm(x, l.inputNorm, cfg.rmsNormEps) as tf.Tensor2D, B, T, cos, sin, bias));
      const h = rmsNorm(x, l.postNorm, cfg.rmsNormEps) as tf.Tensor2D;
      const g = project(h, l.gate);
      x = tf.add(x, project(tf.mul(tf.mul(g, tf.sigmoid(g)), project(h, l.up)) as tf.Tensor2D, l.down));
    }
    return tf.reshape(rmsNorm(x, w.finalNorm, cfg.rmsNormEps), [B, T, cfg.hiddenSize]) as tf.Tensor3D;
  });
}

/** The LM head matrix (lm_head or the tied embedding). @returns [vocab, dModel] */
export function headMatrix(m: LlamaModel): tf.Tensor2D {
  return m.weights.lmHead ?? m.weights.embed;
}

/** Logits over the whole vocabulary at every position. @returns [B, T, vocab] float32 */
export function decoderLogits(m: LlamaModel, input: DecoderInput): tf.Tensor3D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input);
    const [B, T, d] = h.shape;
    return tf.reshape(project(tf.reshape(h, [B * T, d]), headMatrix(m)), [B, T, m.config.vocabSize]) as tf.Tensor3D;
  });
}

/** Logits of chosen token ids at the last position of each row, without the full head. @returns [B, ids.length] float32 */
export function lastTokenLogits(m: LlamaModel, input: DecoderInput, tokenIds: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input);
    const [B, T, d] = h.shape;
    const last = tf.reshape(tf.slice(h, [0, T - 1, 0], [B, 1, d]), [B, d]);
    return project(last as tf.Tensor2D, tf.gather(headMatrix(m), tf.tensor1d(tokenIds as number[], 'int32')) as tf.Tensor2D);
  });
}
