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

function bool(j: Record<string, unknown>, key: string, file: string, fallback: boolean): boolean {
  const v = j[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${file}: field "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Activations the decoder's SwiGLU block computes: SiLU (HF also calls it swish). */
const SUPPORTED_ACTS = ['silu', 'swish'];

/**
 * config.json fields that change the decoder's math but that this decoder does not implement: each is an
 * error naming the field, its value and what to do, so a model never runs silently with other math.
 */
function checkUnsupportedMath(j: Record<string, unknown>, file: string, modelType: string, warn: (msg: string) => void): void {
  const act = j['hidden_act'] ?? j['hidden_activation'];
  if (act !== undefined && !(typeof act === 'string' && SUPPORTED_ACTS.includes(act))) {
    throw new Error(`${file}: field "hidden_act" is ${JSON.stringify(act)}; the kit's decoder computes SwiGLU with SiLU only (hidden_act "silu"), so this model would run with the wrong activation`);
  }
  const rs = j['rope_scaling'];
  if (rs !== undefined && rs !== null) {
    throw new Error(`${file}: field "rope_scaling" is ${JSON.stringify(rs)}; the kit's rotary embedding has no scaling (only plain RoPE with rope_theta), so positions would be encoded differently from the model's training`);
  }
  if (bool(j, 'mlp_bias', file, false)) throw new Error(`${file}: field "mlp_bias" is true; the kit's decoder has no biases in gate/up/down projections`);
  if (modelType === 'llama' && bool(j, 'attention_bias', file, false)) {
    // LlamaAttention puts attention_bias on o_proj too; the decoder has q/k/v biases only (Qwen2's layout)
    throw new Error(`${file}: field "attention_bias" is true on a llama model, which adds a bias to o_proj as well; the kit's decoder supports q/k/v biases only (model_type "qwen2")`);
  }
  if (typeof j['pretraining_tp'] === 'number' && j['pretraining_tp'] !== 1) {
    warn(`${file}: pretraining_tp ${String(j['pretraining_tp'])} only splits matmuls in PyTorch; the kit computes the same math unsplit`);
  }
  if (typeof j['partial_rotary_factor'] === 'number' && j['partial_rotary_factor'] !== 1) {
    throw new Error(`${file}: field "partial_rotary_factor" is ${String(j['partial_rotary_factor'])}; the kit rotates the whole head (factor 1)`);
  }
  for (const k of ['attn_logit_softcapping', 'final_logit_softcapping', 'query_pre_attn_scalar'] as const) {
    if (j[k] !== undefined && j[k] !== null) throw new Error(`${file}: field "${k}" is ${JSON.stringify(j[k])}; the kit's attention has no such term`);
  }
  if (typeof j['attention_dropout'] === 'number' && j['attention_dropout'] !== 0) {
    warn(`${file}: attention_dropout ${String(j['attention_dropout'])} is not applied by the kit's decoder (inference and LoRA training run without attention dropout)`);
  }
  // sliding-window attention equals full causal attention for sequences no longer than the window
  const window = j['sliding_window'];
  const active = modelType === 'qwen2' ? j['use_sliding_window'] === true : modelType === 'mistral' && typeof window === 'number';
  const maxPos = typeof j['max_position_embeddings'] === 'number' ? j['max_position_embeddings'] : Infinity;
  if (active && typeof window === 'number' && window < maxPos) {
    warn(`${file}: sliding_window ${window} is not implemented; the kit attends to the whole sequence, which is exact only for sequences up to ${window} tokens (the kit's prompts are far shorter)`);
  }
}

function tokenId(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

/** Options of llamaConfigFromHf. */
export interface HfConfigOptions {
  /** Receives warnings about fields that do not change the math of the kit's prompts; default process.emitWarning. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Reads a Hugging Face config.json object (llama, qwen2, mistral-style fields). `file` names it in errors.
 * Fields that change the decoder's math but are not implemented (hidden_act other than silu, rope_scaling,
 * mlp_bias, a llama attention_bias, ...) are errors; sliding windows and similar exact-for-short-inputs
 * fields are warnings.
 */
export function llamaConfigFromHf(j: Record<string, unknown>, file = 'config.json', opts: HfConfigOptions = {}): LlamaConfig {
  const modelType = typeof j['model_type'] === 'string' ? j['model_type'] : 'llama';
  if (!['llama', 'qwen2', 'mistral'].includes(modelType)) throw new Error(`${file}: model_type "${modelType}" is not a LLaMA-family decoder this kit supports (llama, qwen2, mistral)`);
  checkUnsupportedMath(j, file, modelType, opts.onWarning ?? ((m) => process.emitWarning(m, 'CfLlmKitWarning')));
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
    tieWordEmbeddings: bool(j, 'tie_word_embeddings', file, false),
    attentionBias: modelType === 'qwen2' ? true : bool(j, 'attention_bias', file, false),
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
