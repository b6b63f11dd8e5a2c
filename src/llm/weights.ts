// The decoder's parameters as tensors, named as in Hugging Face checkpoints. Linear weights are kept
// in Hugging Face's [out, in] layout (y = x W^T), so loading and saving are copies, not transposes.
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config';

/** One decoder layer. Shapes: q [nHeads*headDim, d], k/v [nKv*headDim, d], o [d, nHeads*headDim], gate/up [ffn, d], down [d, ffn]. */
export interface LlamaLayerWeights {
  readonly inputNorm: tf.Tensor1D;
  readonly q: tf.Tensor2D;
  readonly k: tf.Tensor2D;
  readonly v: tf.Tensor2D;
  readonly o: tf.Tensor2D;
  /** Present when config.attentionBias. */
  readonly qBias: tf.Tensor1D | null;
  readonly kBias: tf.Tensor1D | null;
  readonly vBias: tf.Tensor1D | null;
  readonly postNorm: tf.Tensor1D;
  readonly gate: tf.Tensor2D;
  readonly up: tf.Tensor2D;
  readonly down: tf.Tensor2D;
}

/** All parameters. lmHead is null when tied to embed. */
export interface LlamaWeights {
  /** [vocab, d] */
  readonly embed: tf.Tensor2D;
  readonly layers: readonly LlamaLayerWeights[];
  /** [d] */
  readonly finalNorm: tf.Tensor1D;
  /** [vocab, d] or null (tied). */
  readonly lmHead: tf.Tensor2D | null;
}

/** A loaded model: config + weights. */
export interface LlamaModel {
  readonly config: LlamaConfig;
  readonly weights: LlamaWeights;
}

/** Module names adapters can target, as in Hugging Face / PEFT. */
export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
/** One projection name. */
export type Projection = (typeof PROJECTIONS)[number];

/** The Hugging Face tensor name -> tensor map of a model (what model.safetensors holds). */
export function weightsToHfTensors(m: LlamaModel): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const w = m.weights;
  out.set('model.embed_tokens.weight', w.embed);
  w.layers.forEach((l, i) => {
    const p = `model.layers.${i}.`;
    out.set(p + 'input_layernorm.weight', l.inputNorm);
    out.set(p + 'self_attn.q_proj.weight', l.q);
    out.set(p + 'self_attn.k_proj.weight', l.k);
    out.set(p + 'self_attn.v_proj.weight', l.v);
    out.set(p + 'self_attn.o_proj.weight', l.o);
    if (l.qBias) out.set(p + 'self_attn.q_proj.bias', l.qBias);
    if (l.kBias) out.set(p + 'self_attn.k_proj.bias', l.kBias);
    if (l.vBias) out.set(p + 'self_attn.v_proj.bias', l.vBias);
    out.set(p + 'post_attention_layernorm.weight', l.postNorm);
    out.set(p + 'mlp.gate_proj.weight', l.gate);
    out.set(p + 'mlp.up_proj.weight', l.up);
    out.set(p + 'mlp.down_proj.weight', l.down);
  });
  out.set('model.norm.weight', w.finalNorm);
  if (w.lmHead) out.set('lm_head.weight', w.lmHead);
  return out;
}

/** Expected shape of every Hugging Face tensor name for a config. */
export function expectedHfShapes(c: LlamaConfig): Map<string, number[]> {
  const d = c.hiddenSize, q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim, f = c.intermediateSize;
  const s = new Map<string, number[]>();
  s.set('model.embed_tokens.weight', [c.vocabSize, d]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `model.layers.${i}.`;
    s.set(p + 'input_layernorm.weight', [d]);
    s.set(p + 'self_attn.q_proj.weight', [q, d]);
    s.set(p + 'self_attn.k_proj.weight', [kv, d]);
    s.set(p + 'self_attn.v_proj.weight', [kv, d]);
    s.set(p + 'self_attn.o_proj.weight', [d, q]);
    if (c.attentionBias) {
      s.set(p + 'self_attn.q_proj.bias', [q]);
      s.set(p + 'self_attn.k_proj.bias', [kv]);
      s.set(p + 'self_attn.v_proj.bias', [kv]);
    }
    s.set(p + 'post_attention_layernorm.weight', [d]);
    s.set(p + 'mlp.gate_proj.weight', [f, d]);
    s.set(p + 'mlp.up_proj.weight', [f, d]);
    s.set(p + 'mlp.down_proj.weight', [d, f]);
  }
  s.set('model.norm.weight', [d]);
  if (!c.tieWordEmbeddings) s.set('lm_head.weight', [c.vocabSize, d]);
  return s;
}

/** Disposes every tensor of a model. */
export function disposeLlama(m: LlamaModel): void {
  tf.dispose([...weightsToHfTensors(m).values()]);
}
