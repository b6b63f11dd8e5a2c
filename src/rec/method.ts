// The contract every LLM recommender method implements and the spec a method registers with (options
// with validation, shape checks before training, an optional stage it starts from, and how to build it),
// plus the shared "Yes"-logit scorer. Methods live in their own folders; the registry is src/runner/methods.ts.
// Reference: docs/methods.md §2 (score = raw "Yes" logit); docs/architecture.md §6 (adding an LLM method).
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import type { CfBackbone } from '../cf/backbone';
import type { CFKind } from '../cf/types';
import type { InteractionSplit } from '../data/types';
import type { AdapterHook } from '../llm/layers';
import type { Lora } from '../llm/lora';
import { lastTokenLogits, type EmbedOverride } from '../llm/model';
import type { LlamaModel } from '../llm/weights';
import { batchTensors, type PromptBatch } from './batch';
import type { PromptCodes, PromptKind } from './prompt';

/** A built LLM recommender: its prompt, its trainable parameters and its score (the raw "Yes" logit). */
export interface RecMethod {
  /** Name in results and progress lines, e.g. "collm-T1". */
  readonly name: string;
  /** Which prompt template its rows are encoded with. */
  readonly promptKind: PromptKind;
  /** The text its prompts write for users and items (BinLLM's codes; required by promptKind 'binllm'); absent otherwise. */
  readonly promptCodes?: PromptCodes;
  /** Parameters trained by this method's stage (empty for the base LLM). */
  readonly params: Record<string, tf.Variable>;
  /** The LoRA this method applies (TALLRec's, CoLLM's stage-1 or T3 LoRA), for analyses; absent when none. */
  readonly lora?: Lora;
  /** [B] float32 logits of the answer token at the answer position. */
  logits(batch: PromptBatch, mode: ForwardMode): tf.Tensor1D;
  /** Frees the tensors the method created (not the LLM's, not a CF backbone or stage it was given). */
  dispose(): void;
}

/** Sizes a method checks its options against before anything is loaded or trained. */
export interface MethodShapes {
  /** The LLM's hidden size. */
  readonly dModel: number;
  /** The LLM's decoder layers. */
  readonly nLayers: number;
  /** Width of the CF backbone's representations (null for methods without one). */
  readonly dCf: number | null;
}

/** What building a method gets from the runner. */
export interface MethodBuildContext {
  readonly llm: LlamaModel;
  /** Token id of the answer "Yes". */
  readonly yesId: number;
  /** Seed of the method's own initialisation. */
  readonly seed: number;
  /** The train split (a method that re-initialises its CF model, CoLLM T2, builds it from these rows). */
  readonly train: InteractionSplit;
  /** The CF backbone, for methods whose spec says cf: 'required'; else null. */
  readonly cf: CfBackbone | null;
  /** The trained method of the stage this one starts from (spec.stage1), its parameters loaded; else null. */
  readonly stage1: RecMethod | null;
}

/** A stage a method starts from: another registered method with its options (e.g. CoLLM's TALLRec stage 1). */
export interface StagePlan {
  readonly method: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * One LLM method as the registry knows it. O is the method's options object (JSON-serialisable, saved
 * with every run). Methods are declared with method syntax so specs of different O share one registry.
 */
export interface RecMethodSpec<O extends object = object> {
  /** Registry key and CLI name, e.g. "cora". */
  readonly name: string;
  /** Label in tables and figures, e.g. "CoRA". */
  readonly label: string;
  /** Whether the method reads a CF backbone. */
  readonly cf: 'none' | 'required';
  /** The CF model it gets when the experiment names none (default 'mf'; BinLLM: 'hash-mf'). */
  readonly defaultCf?: CFKind;
  /** False for methods with nothing to train (the base LLM). */
  readonly trains: boolean;
  /** Merges options over the defaults (which may depend on the CF model), validates them naming the field, freezes. */
  makeOptions(options: Readonly<Record<string, unknown>>, cf: CFKind | null): O;
  /** Throws, naming the option and the size, when the options cannot work with these shapes. */
  checkShapes(options: O, shapes: MethodShapes): void;
  /** The stage whose trained parameters this method starts from, or null. */
  stage1(options: O): StagePlan | null;
  /** Builds the method with fresh (seeded) trainable parameters. */
  build(ctx: MethodBuildContext, options: O): RecMethod;
  /** The part of the run name after the method (e.g. "T1" for CoLLM T1), or "" . */
  runTag(options: O): string;
}

/** The "Yes" logit at the last position of each row, optionally with adapters and an embedding override. @returns [B] float32 */
export function yesLogits(llm: LlamaModel, yesId: number, batch: PromptBatch, adapter?: AdapterHook, embedOverride?: EmbedOverride): tf.Tensor1D {
  return tf.tidy(() => {
    const { ids, mask } = batchTensors(batch);
    const out = lastTokenLogits(llm, { ids, mask, ...(adapter ? { adapter } : {}), ...(embedOverride ? { embedOverride } : {}) }, [yesId]);
    return tf.reshape(out, [batch.B]) as tf.Tensor1D;
  });
}
