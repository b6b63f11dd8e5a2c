// The decoder's public surface under its earlier module name: re-exports the forward (model.ts), its
// blocks (layers.ts, attention.ts), rotary embeddings (rope.ts) and the KV cache (kv-cache.ts).
// Reference: Touvron et al., LLaMA (2023); transformers' modeling_llama.py.
export { attentionBias, attentionMask, repeatKv, selfAttention, type AttentionMask } from './attention';
export { KVCache, type LayerKV } from './kv-cache';
export { adaptedProject, project, rmsNorm, swiglu, type AdapterHook, type HookSite } from './layers';
export { decoderHidden, decoderLogits, embedTokens, headLogits, headMatrix, lastTokenLogits, type DecoderInput, type EmbedOverride } from './model';
export { applyRope, positionIds, ropeInvFreq, ropeTables, type RopeTables } from './rope';
