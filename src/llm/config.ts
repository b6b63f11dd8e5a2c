// The decoder's configuration: the LLaMA family as Hugging Face defines it (LlamaConfig / Qwen2Config
// fields), validated, with the rotary layout made explicit. The LLM module knows nothing of recommendation.
// Reference: transformers' configuration_llama.py / configuration_qwen2.py; llama2.c run.c.
import { checkInt, checkOneOf, checkRange } from '../core/config';

/**
 * Rotary layout: `half` = Hugging Face (rotate_half: pairs (i, i + headDim/2)); `interleaved` =
 * llama2.c / Meta original (adjacent pairs (2i, 2i+1)).
 */
export type RopeLayout = 'half' | 'interleaved';

/** A LLaMA-family decoder configuration. */
export interface LlamaConfig {
  /** "llama" or "qwen2" (Hugging Face model_type); default 'llama'. */
  readonly modelType: string;
  /** Vocabulary size: rows of the token embedding and of the LM head (required). */
  readonly vocabSize: number;
  /** Model width dModel (required). */
  readonly hiddenSize: number;
  /** SwiGLU inner width of the feed-forward block (required). */
  readonly intermediateSize: number;
  /** Decoder layers (required). */
  readonly numHiddenLayers: number;
  /** Query heads per layer (required). */
  readonly numAttentionHeads: number;
  /** Grouped-query attention: heads of k/v (divides numAttentionHeads); default numAttentionHeads. */
  readonly numKeyValueHeads: number;
  /** Per-head width (even, for rotary pairs); default floor(hiddenSize / numAttentionHeads). */
  readonly headDim: number;
  /** Epsilon inside RMSNorm's square root; default 1e-5. */
  readonly rmsNormEps: number;
  /** Rotary base frequency theta; default 10000. */
  readonly ropeTheta: number;
  /** Rotary pair layout: 'half' (Hugging Face, rotate_half) or 'interleaved' (llama2.c); default 'half'. */
  readonly ropeLayout: RopeLayout;
  /** Longest sequence (tokens) the checkpoint was trained for, kept for config.json; default 2048. */
  readonly maxPositionEmbeddings: number;
  /** LM head shares the token embedding matrix; default false. */
  readonly tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2); default true for modelType 'qwen2', else false. */
  readonly attentionBias: boolean;
  /** Token id of beginning-of-sequence, or null when the model has none; default null. */
  readonly bosTokenId: number | null;
  /** Token id of end-of-sequence, or null when the model has none; default null. */
  readonly eosTokenId: number | null;
}

/** Checks every field; throws naming the field. @returns the same config, frozen. */
export function validateLlamaConfig(c: LlamaConfig): LlamaConfig {
  const w = 'LlamaConfig';
  for (const k of ['vocabSize', 'hiddenSize', 'intermediateSize', 'numHiddenLayers', 'numAttentionHeads', 'numKeyValueHeads', 'headDim', 'maxPositionEmbeddings'] as const) {
    checkInt(w, k, c[k], 1);
  }
  if (c.numAttentionHeads % c.numKeyValueHeads !== 0) throw new Error(`${w}.numKeyValueHeads (${c.numKeyValueHeads}) must divide numAttentionHeads (${c.numAttentionHeads})`);
  if (c.headDim % 2 !== 0) throw new Error(`${w}.headDim must be even for rotary embeddings, got ${c.headDim}`);
  checkRange(w, 'rmsNormEps', c.rmsNormEps, 0, 1, true);
  checkRange(w, 'ropeTheta', c.ropeTheta, 0, 1e12, true);
  checkOneOf(w, 'ropeLayout', c.ropeLayout, ['half', 'interleaved']);
  for (const k of ['bosTokenId', 'eosTokenId'] as const) {
    const v = c[k];
    if (v !== null && !(Number.isInteger(v) && v >= 0 && v < c.vocabSize)) throw new Error(`${w}.${k} must be null or a token id in [0, ${c.vocabSize}), got ${v}`);
  }
  return Object.freeze({ ...c });
}

/** Builds a config from defaults plus overrides (headDim derived when absent). */
export function makeLlamaConfig(o: Partial<LlamaConfig> & Pick<LlamaConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers' | 'numAttentionHeads'>): LlamaConfig {
  return validateLlamaConfig({
    modelType: 'llama', numKeyValueHeads: o.numAttentionHeads, headDim: Math.floor(o.hiddenSize / o.numAttentionHeads),
    rmsNormEps: 1e-5, ropeTheta: 10000, ropeLayout: 'half', maxPositionEmbeddings: 2048, tieWordEmbeddings: false,
    attentionBias: o.modelType === 'qwen2', bosTokenId: null, eosTokenId: null, ...o,
  });
}

function num(j: Record<string, unknown>, key: string, file: string, fallback?: number): number {
  const v = j[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: field "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function tokenId(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

/** Reads a Hugging Face config.json object (llama, qwen2, mistral-style fields). `file` names it in errors. */
export function llamaConfigFromHf(j: Record<string, unknown>, file = 'config.json'): LlamaConfig {
  const modelType = typeof j['model_type'] === 'string' ? j['model_type'] : 'llama';
  if (!['llama', 'qwen2', 'mistral'].includes(modelType)) throw new Error(`${file}: model_type "${modelType}" is not a LLaMA-family decoder this kit supports (llama, qwen2, mistral)`);
  const rs = j['rope_scaling'];
  if (rs !== undefined && rs !== null) throw new Error(`${file}: rope_scaling ${JSON.stringify(rs)} is not supported`);
  const hidden = num(j, 'hidden_size', file), heads = num(j, 'num_attention_heads', file);
  return validateLlamaConfig({
    modelType,
    vocabSize: num(j, 'vocab_size', file),
    hiddenSize: hidden,
    intermediateSize: num(j, 'intermediate_size', file),
    numHiddenLayers: num(j, 'num_hidden_layers', file),
    numAttentionHeads: heads,
    numKeyValueHeads: num(j, 'num_key_value_heads', file, heads),
    headDim: num(j, 'head_dim', file, Math.floor(hidden / heads)),
    rmsNormEps: num(j, 'rms_norm_eps', file, 1e-6),
    ropeTheta: num(j, 'rope_theta', file, 10000),
    ropeLayout: j['rope_layout'] === 'interleaved' ? 'interleaved' : 'half',
    maxPositionEmbeddings: num(j, 'max_position_embeddings', file, 2048),
    tieWordEmbeddings: j['tie_word_embeddings'] === true,
    attentionBias: modelType === 'qwen2' ? true : j['attention_bias'] === true,
    bosTokenId: tokenId(j['bos_token_id']),
    eosTokenId: tokenId(j['eos_token_id']),
  });
}

/** The Hugging Face config.json object for a config (round-trips through llamaConfigFromHf). */
export function llamaConfigToHf(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: [c.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: c.modelType,
    vocab_size: c.vocabSize, hidden_size: c.hiddenSize, intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers, num_attention_heads: c.numAttentionHeads, num_key_value_heads: c.numKeyValueHeads,
    head_dim: c.headDim, rms_norm_eps: c.rmsNormEps, rope_theta: c.ropeTheta, max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings, attention_bias: c.attentionBias, hidden_act: 'silu',
    bos_token_id: c.bosTokenId, eos_token_id: c.eosTokenId, torch_dtype: 'float32',
    ...(c.ropeLayout === 'interleaved' ? { rope_layout: 'interleaved' } : {}),
  };
}
