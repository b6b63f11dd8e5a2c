// The LLaMA-family decoder forward pass in TensorFlow.js: RMSNorm, rotary embeddings (half-split or
// interleaved), grouped-query causal attention with a padding mask, SwiGLU MLP, tied or untied head.
// Reference: Touvron et al., LLaMA (2023); transformers' modeling_llama.py / modeling_qwen2.py.
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config';
import type { LlamaLayerWeights, LlamaModel, Projection } from './weights';

/** Inputs of one forward pass. */
export interface DecoderInput {
  /** [B, T] int32 token ids (any id at padded positions). */
  readonly ids: tf.Tensor2D;
  /** [B, T] 1 for real tokens, 0 for padding (left padding); all ones when absent. */
  readonly mask?: tf.Tensor2D;
  /** Replace the input embeddings at flat positions row*T+t (n distinct numbers) by vectors [n, dModel] (differentiable). */
  readonly embedOverride?: { readonly positions: readonly number[]; readonly vectors: tf.Tensor2D };
  /** Adapters: called after every projection with its input and base output (see adapters.ts). */
  readonly adapter?: AdapterHook;
}

/**
 * Adds an adapter's contribution to a projection: x [B*T, in] is the projection's input, y [B*T, out]
 * its base output; returns the adapted output. B and T give the batch layout of the rows.
 */
export type AdapterHook = (layer: number, proj: Projection, x: tf.Tensor2D, y: tf.Tensor2D, B: number, T: number) => tf.Tensor2D;

/** Keys and values of earlier positions per layer, for incremental decoding; owns its tensors. */
export class KVCache {
  /** Per layer: k, v as [B, nKvHeads, P, headDim] (keys already rotated). */
  layers: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
  /** Cached positions P. */
  get length(): number {
    return this.layers[0]?.k.shape[2] ?? 0;
  }
  /** Frees every cached tensor. */
  dispose(): void {
    for (const l of this.layers) tf.dispose([l.k, l.v]);
    this.layers = [];
  }
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

/**
 * Additive attention bias for the last Tn of S = P + Tn positions: 0 where query P+q may see key s
 * (s <= P+q and s is real), -1e9 elsewhere. @param mask [B, S] @returns [B, 1, Tn, S]
 */
export function attentionBias(mask: tf.Tensor2D, Tn: number = mask.shape[1]): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, S] = mask.shape;
    const P = S - Tn;
    const causal = tf.slice(tf.linalg.bandPart(tf.ones([S, S]), -1, 0), [P, 0], [Tn, S]);
    const allowed = tf.mul(tf.reshape(causal, [1, 1, Tn, S]), tf.reshape(mask, [B, 1, 1, S]));
    return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor4D;
  });
}

function attention(cfg: LlamaConfig, li: number, l: LlamaLayerWeights, x2: tf.Tensor2D, B: number, T: number, cos: tf.Tensor4D, sin: tf.Tensor4D, bias: tf.Tensor4D,
  adapt: AdapterHook | undefined, past: { k: tf.Tensor4D; v: tf.Tensor4D } | undefined): { out: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const H = cfg.numAttentionHeads, KV = cfg.numKeyValueHeads, D = cfg.headDim;
  const heads = (t: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(t, [B, T, n, D]), [0, 2, 1, 3]) as tf.Tensor4D;
  const proj = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null, name: Projection) => {
    const y = project(x, w, b);
    return adapt ? adapt(li, name, x, y, B, T) : y;
  };
  const q = applyRope(cfg, heads(proj(x2, l.q, l.qBias, 'q_proj'), H), cos, sin);
  let k = applyRope(cfg, heads(proj(x2, l.k, l.kBias, 'k_proj'), KV), cos, sin);
  let v = heads(proj(x2, l.v, l.vBias, 'v_proj'), KV);
  if (past) {
    k = tf.concat([past.k, k], 2) as tf.Tensor4D;
    v = tf.concat([past.v, v], 2) as tf.Tensor4D;
  }
  // [B, KV, S, D] -> [B, H, S, D]: each kv head serves H/KV consecutive query heads (a gather, whose gradient exists)
  const groups = tf.tensor1d(Array.from({ length: H }, (_, h) => Math.floor(h / (H / KV))), 'int32');
  const rep = (t: tf.Tensor4D) => (KV === H ? t : tf.gather(t, groups, 1) as tf.Tensor4D);
  const scores = tf.add(tf.mul(tf.matMul(q, rep(k), false, true), 1 / Math.sqrt(D)), bias);
  const o = tf.matMul(tf.softmax(scores, -1), rep(v)); // [B, H, T, D]
  return { out: proj(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * T, H * D]), l.o, null, 'o_proj'), k, v };
}

/**
 * Final hidden states (after the last RMSNorm) of the input tokens. With a cache, `ids` are the new
 * tokens after the cached ones, `mask` covers cached + new positions, and the cache is extended.
 * @returns [B, T, dModel] float32
 */
export function decoderHidden(m: LlamaModel, input: DecoderInput, cache?: KVCache): tf.Tensor3D {
  const old = cache ? [...cache.layers] : [];
  const out = tf.tidy(() => {
    const cfg = m.config, w = m.weights;
    const [B, T] = input.ids.shape;
    const P = cache?.length ?? 0;
    const mask = input.mask ?? tf.ones([B, P + T]) as tf.Tensor2D;
    if (mask.shape[1] !== P + T) throw new Error(`decoderHidden: mask has ${mask.shape[1]} columns, expected ${P + T} (${P} cached + ${T} new)`);
    let x = tf.gather(w.embed, tf.reshape(input.ids, [B * T])) as tf.Tensor2D; // [B*T, d]
    if (input.embedOverride) {
      const { positions, vectors } = input.embedOverride;
      const n = positions.length;
      if (vectors.shape[0] !== n) throw new Error(`embedOverride: ${n} positions but ${vectors.shape[0]} vectors`);
      // row r of the input takes vectors[k] where positions[k] = r, else a zero row (index n) and keeps its token embedding
      const rowOf = new Int32Array(B * T).fill(n), keep = new Float32Array(B * T).fill(1);
      positions.forEach((p, k) => {
        if (!(Number.isInteger(p) && p >= 0 && p < B * T)) throw new Error(`embedOverride: position ${p} is outside [0, ${B * T})`);
        rowOf[p] = k;
        keep[p] = 0;
      });
      const table = tf.concat([vectors, tf.zeros([1, cfg.hiddenSize])], 0);
      x = tf.add(tf.mul(x, tf.tensor2d(keep, [B * T, 1])), tf.gather(table, tf.tensor1d(rowOf, 'int32'))) as tf.Tensor2D;
    }
    const pos = tf.slice(positionIds(mask), [0, P], [B, T]) as tf.Tensor2D;
    const { cos, sin } = ropeTables(cfg, pos);
    const bias = attentionBias(mask, T);
    w.layers.forEach((l, li) => {
      const a = attention(cfg, li, l, rmsNorm(x, l.inputNorm, cfg.rmsNormEps) as tf.Tensor2D, B, T, cos, sin, bias, input.adapter, old[li]);
      if (cache) cache.layers[li] = { k: tf.keep(a.k), v: tf.keep(a.v) };
      x = tf.add(x, a.out);
      const h = rmsNorm(x, l.postNorm, cfg.rmsNormEps) as tf.Tensor2D;
      const ad = (name: Projection, xi: tf.Tensor2D, y: tf.Tensor2D) => (input.adapter ? input.adapter(li, name, xi, y, B, T) : y);
      const g = ad('gate_proj', h, project(h, l.gate));
      const mid = tf.mul(tf.mul(g, tf.sigmoid(g)), ad('up_proj', h, project(h, l.up))) as tf.Tensor2D;
      x = tf.add(x, ad('down_proj', mid, project(mid, l.down)));
    });
    return tf.reshape(rmsNorm(x, w.finalNorm, cfg.rmsNormEps), [B, T, cfg.hiddenSize]) as tf.Tensor3D;
  });
  for (const o of old) tf.dispose([o.k, o.v]);
  return out;
}

/** The LM head matrix (lm_head or the tied embedding). @returns [vocab, dModel] */
export function headMatrix(m: LlamaModel): tf.Tensor2D {
  return m.weights.lmHead ?? m.weights.embed;
}

/** Logits over the whole vocabulary at every position. @returns [B, T, vocab] float32 */
export function decoderLogits(m: LlamaModel, input: DecoderInput, cache?: KVCache): tf.Tensor3D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input, cache);
    const [B, T, d] = h.shape;
    return tf.reshape(project(tf.reshape(h, [B * T, d]), headMatrix(m)), [B, T, m.config.vocabSize]) as tf.Tensor3D;
  });
}

/**
 * Logits at the last position of each row: of the chosen token ids only (the head rows are gathered,
 * the full vocabulary head is never computed), or of the whole vocabulary when tokenIds is null.
 * @returns [B, tokenIds.length or vocab] float32
 */
export function lastTokenLogits(m: LlamaModel, input: DecoderInput, tokenIds: readonly number[] | null, cache?: KVCache): tf.Tensor2D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input, cache);
    const [B, T, d] = h.shape;
    const last = tf.reshape(tf.slice(h, [0, T - 1, 0], [B, 1, d]), [B, d]) as tf.Tensor2D;
    const head = tokenIds ? tf.gather(headMatrix(m), tf.tensor1d(tokenIds as number[], 'int32')) as tf.Tensor2D : headMatrix(m);
    return project(last, head);
  });
}
