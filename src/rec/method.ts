// The contract every LLM recommender method implements (base LLM, TALLRec, CoLLM, CoRA), the shared
// "Yes"-logit scorer, and the base and TALLRec methods themselves.
// Reference: ../shared/notes/methods.md §2, §4; TALLRec (Bao et al. 2023).
import * as tf from '@tensorflow/tfjs';
import { initLora, loraHook, type Lora, type LowRankConfig } from '../llm/adapters';
import { lastTokenLogits } from '../llm/model';
import { type AdapterHook } from '../llm/layers';
import type { LlamaModel } from '../llm/weights';
import { batchTensors, type PromptBatch } from './batch';
import type { PromptKind } from './prompt';

/** Training (dropout on, seeded) or evaluation. */
export interface RecMode {
  readonly training: boolean;
  readonly seed: number;
}

/** An LLM recommender: its prompt, its trainable parameters and its score (the raw "Yes" logit). */
export interface RecMethod {
  readonly name: string;
  readonly promptKind: PromptKind;
  /** Parameters trained by this method's stage (may be empty, e.g. the base LLM). */
  readonly params: Record<string, tf.Variable>;
  /** [B] float32 logits of the answer token at the answer position. */
  logits(batch: PromptBatch, mode: RecMode): tf.Tensor1D;
  /** Frees the method's own tensors (not the LLM's or the CF model's). */
  dispose(): void;
}

/** The "Yes" logit at the last position of each row, optionally with adapters and an embedding override. @returns [B] */
export function yesLogits(llm: LlamaModel, yesId: number, batch: PromptBatch, adapter?: AdapterHook, embedOverride?: { positions: readonly number[]; vectors: tf.Tensor2D }): tf.Tensor1D {
  return tf.tidy(() => {
    const { ids, mask } = batchTensors(batch);
    const out = lastTokenLogits(llm, { ids, mask, ...(adapter ? { adapter } : {}), ...(embedOverride ? { embedOverride } : {}) }, [yesId]);
    return tf.reshape(out, [batch.B]) as tf.Tensor1D;
  });
}

/** The frozen LLM with the text-only prompt and no trained parameters. */
export function baseMethod(llm: LlamaModel, yesId: number): RecMethod {
  return { name: 'base', promptKind: 'tallrec', params: {}, logits: (b) => yesLogits(llm, yesId, b), dispose: () => undefined };
}

/** TALLRec defaults: LoRA r=8, alpha=16, dropout 0.05 on q_proj and v_proj. */
export const TALLREC_LORA: LowRankConfig = Object.freeze({ r: 8, alpha: 16, dropout: 0.05, targets: ['q_proj', 'v_proj'] as const });

/** TALLRec: LoRA on the frozen LLM, text-only prompt. Pass an existing Lora to evaluate or continue it. */
export function tallrecMethod(llm: LlamaModel, yesId: number, opts: { lora?: Lora; config?: LowRankConfig; seed?: number; promptKind?: PromptKind } = {}): RecMethod {
  const lora = opts.lora ?? initLora(llm, opts.config ?? TALLREC_LORA, opts.seed ?? 0);
  return {
    name: 'tallrec', promptKind: opts.promptKind ?? 'tallrec', params: lora.params,
    logits: (b, mode) => yesLogits(llm, yesId, b, loraHook(lora, mode)),
    dispose: () => { if (!opts.lora) tf.dispose(Object.values(lora.params)); },
  };
}
