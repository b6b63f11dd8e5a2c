// The LLaMA-family decoder forward: token embeddings (with an optional differentiable override), a stack
// of pre-norm blocks (GQA attention + SwiGLU MLP), the final RMSNorm, and the LM head (full, or only
// chosen token ids at each row's last position). Left padding gives the same outputs as no padding.
// Reference: Touvron et al., LLaMA (2023); transformers' modeling_llama.py / modeling_qwen2.py.
import * as tf from '@tensorflow/tfjs';
import { attentionMask, selfAttention } from './attention';
import type { KVCache } from './kv-cache';
import { project, rmsNorm, swiglu, type AdapterHook, type HookSite } from './layers';
import { positionIds, ropeTables } from './rope';
import type { LlamaModel } from './weights';

/** Vectors that replace the input embeddings at some positions (e.g. injected CF embeddings). */
export interface EmbedOverride {
  /** Flat indices row * T + t into the [B, T] input, distinct. Give this or `at`. */
  readonly positions?: readonly number[];
  /** (row, position) pairs, distinct. Give this or `positions`. */
  readonly at?: readonly (readonly [number, number])[];
  /** [n, dModel] float32, one per position; gradients flow to it. */
  readonly vectors: tf.Tensor2D;
}

/** Inputs of one forward pass. */
export interface DecoderInput {
  /** [B, T] int32 token ids (any id at padded or overridden positions). */
  readonly ids: tf.Tensor2D;
  /** [B, P + T] 1 for real tokens, 0 for (left) padding, covering cached + new positions; all ones when absent. */
  readonly mask?: tf.Tensor2D;
  /** [B, T] explicit rotary positions of the new tokens; by default counted from each row's first real token. */
  readonly positionIds?: tf.Tensor2D;
  /** Replace input embeddings at given positions by given vectors (differentiable). */
  readonly embedOverride?: EmbedOverride;
  /** Adapters: called after every projection with its input and base output (see adapters.ts). */
  readonly adapter?: AdapterHook;
}

/** Flat row indices of an override, checked (in range, distinct). */
function overrideRows(o: EmbedOverride, B: number, T: number): number[] {
  if ((o.positions === undefined) === (o.at === undefined)) throw new Error('embedOverride: give exactly one of `positions` (flat row*T+t) or `at` ((row, t) pairs)');
  const flat = o.positions ? [...o.positions] : o.at!.map(([r, t]) => {
    if (!(Number.isInteger(r) && r >= 0 && r < B && Number.isInteger(t) && t >= 0 && t < T)) throw new Error(`embedOverride: pair (${r}, ${t}) is outside the [${B}, ${T}] input`);
    return r * T + t;
  });
  if (flat.length !== o.vectors.shape[0]) throw new Error(`embedOverride: ${flat.length} positions but ${o.vectors.shape[0]} vectors`);
  const seen = new Set<number>();
  for (const p of flat) {
    if (!(Number.isInteger(p) && p >= 0 && p < B * T)) throw new Error(`embedOverride: position ${p} is outside [0, ${B * T})`);
    if (seen.has(p)) throw new Error(`embedOverride: position ${p} (row ${Math.floor(p / T)}, t ${p % T}) is given twice`);
    seen.add(p);
  }
  return flat;
}

/**
 * Input embeddings of ids [B, T], with override vectors at their positions (differentiable w.r.t. them).
 * @returns [B*T, dModel] float32
 */
export function embedTokens(m: LlamaModel, ids: tf.Tensor2D, override?: EmbedOverride): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = ids.shape;
    const x = tf.gather(m.weights.embed, tf.reshape(ids, [B * T])) as tf.Tensor2D;
    if (!override) return x;
    const rows = overrideRows(override, B, T), n = rows.length;
    if (override.vectors.shape[1] !== m.config.hiddenSize) throw new Error(`embedOverride: vectors have width ${override.vectors.shape[1]}, the model's is ${m.config.hiddenSize}`);
    // row p takes vectors[k] where rows[k] = p and drops its token embedding; other rows gather a zero row (index n)
    const src = new Int32Array(B * T).fill(n), keep = new Float32Array(B * T).fill(1);
    rows.forEach((p, k) => { src[p] = k; keep[p] = 0; });
    const table = tf.concat([override.vectors, tf.zeros([1, m.config.hiddenSize])], 0);
    return tf.add(tf.mul(x, tf.tensor2d(keep, [B * T, 1])), tf.gather(table, tf.tensor1d(src, 'int32'))) as tf.Tensor2D;
  });
}

/**
 * Final hidden states (after the last RMSNorm) of the input tokens. With a cache, `ids` are the new
 * tokens after the P cached ones, `mask` covers P + T positions, and the cache is extended in place.
 * @returns [B, T, dModel] float32
 */
export function decoderHidden(m: LlamaModel, input: DecoderInput, cache?: KVCache): tf.Tensor3D {
  const cfg = m.config, w = m.weights;
  const [B, T] = input.ids.shape;
  const P = cache?.length ?? 0;
  if (input.mask && (input.mask.shape[0] !== B || input.mask.shape[1] !== P + T)) throw new Error(`decoderHidden: mask is [${input.mask.shape}], expected [${B}, ${P + T}] (${P} cached + ${T} new positions)`);
  if (input.positionIds && (input.positionIds.shape[0] !== B || input.positionIds.shape[1] !== T)) throw new Error(`decoderHidden: positionIds is [${input.positionIds.shape}], expected [${B}, ${T}]`);
  if (cache && cache.layers.length > 0 && cache.layers[0]!.k.shape[0] !== B) throw new Error(`decoderHidden: cache holds batch ${cache.layers[0]!.k.shape[0]}, input has ${B} rows`);
  const old = cache ? [...cache.layers] : [];
  const out = tf.tidy(() => {
    const mask = input.mask ?? tf.ones([B, P + T]) as tf.Tensor2D;
    const pos = input.positionIds ?? tf.slice(positionIds(mask), [0, P], [B, T]) as tf.Tensor2D;
    const rope = ropeTables(cfg, pos);
    const am = attentionMask(mask, T);
    let x = embedTokens(m, input.ids, input.embedOverride); // [B*T, d]
    w.layers.forEach((l, li) => {
      const site: HookSite = { layer: li, hook: input.adapter, B, T };
      // one scope per layer: a forward pass holds one layer's temporaries, not every layer's (training
      // keeps what backward needs on the tape regardless)
      x = tf.tidy(() => {
        const a = selfAttention(cfg, site, l, rmsNorm(x, l.inputNorm, cfg.rmsNormEps), rope, am, old[li]);
        if (cache) cache.layers[li] = { k: tf.keep(a.k), v: tf.keep(a.v) };
        const h = tf.add(x, a.out) as tf.Tensor2D;
        return tf.add(h, swiglu(site, l, rmsNorm(h, l.postNorm, cfg.rmsNormEps))) as tf.Tensor2D;
      });
    });
    return tf.reshape(rmsNorm(x, w.finalNorm, cfg.rmsNormEps), [B, T, cfg.hiddenSize]) as tf.Tensor3D;
  });
  // the extended entries replace the old ones (they are new tensors: concat of old and new positions)
  for (const o of old) tf.dispose([o.k, o.v]);
  return out;
}

/** The LM head matrix (lm_head, or the embedding when tied). @returns [vocab, dModel] */
export function headMatrix(m: LlamaModel): tf.Tensor2D {
  return m.weights.lmHead ?? m.weights.embed;
}

/**
 * Logits of hidden rows h [N, d]: over the chosen token ids only (their head rows are gathered; the
 * full head is never computed), or over the whole vocabulary when tokenIds is null. @returns [N, n or vocab] float32
 */
export function headLogits(m: LlamaModel, h: tf.Tensor2D, tokenIds: readonly number[] | null): tf.Tensor2D {
  return tf.tidy(() => {
    if (!tokenIds) return project(h, headMatrix(m));
    for (const t of tokenIds) if (!(Number.isInteger(t) && t >= 0 && t < m.config.vocabSize)) throw new Error(`headLogits: token id ${t} is outside [0, ${m.config.vocabSize})`);
    return project(h, tf.gather(headMatrix(m), tf.tensor1d(tokenIds as number[], 'int32')) as tf.Tensor2D);
  });
}

/** Logits over the whole vocabulary at every position (LM use). @returns [B, T, vocab] float32 */
export function decoderLogits(m: LlamaModel, input: DecoderInput, cache?: KVCache): tf.Tensor3D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input, cache);
    const [B, T, d] = h.shape;
    return tf.reshape(headLogits(m, tf.reshape(h, [B * T, d]), null), [B, T, m.config.vocabSize]) as tf.Tensor3D;
  });
}

/**
 * Logits at the last position of each row (left padding keeps every row's last token there): of the
 * chosen token ids only, or of the whole vocabulary when tokenIds is null. @returns [B, n or vocab] float32
 */
export function lastTokenLogits(m: LlamaModel, input: DecoderInput, tokenIds: readonly number[] | null, cache?: KVCache): tf.Tensor2D {
  return tf.tidy(() => {
    const h = decoderHidden(m, input, cache);
    const [B, T, d] = h.shape;
    return headLogits(m, tf.reshape(tf.slice(h, [0, T - 1, 0], [B, 1, d]), [B, d]) as tf.Tensor2D, tokenIds);
  });
}
