// CoLLM: a frozen CF model's user and item embeddings, mapped into the token-embedding space, replace
// the two placeholder tokens of the CoLLM prompt; the LLM is frozen with the LoRA of a TALLRec stage.
// Variants: stage 2 (mapping only, the default), T1 (mapping + CF fine-tuned), T2 (mapping + CF from
// scratch), T3 (LoRA + mapping jointly in one stage).
// Reference: Zhang et al., CoLLM (arXiv 2310.19488); methods.md §5.
import * as tf from '@tensorflow/tfjs';
import { toCFBatch, disposeCFBatch } from '../cf/batch';
import type { CFModel, CFSpec, CFCommonConfig } from '../cf/types';
import { makeRowBatch } from '../data/batching';
import { loraHook, type Lora } from '../llm/adapters';
import type { LlamaModel } from '../llm/weights';
import type { RecMethod } from '../rec/method';
import { yesLogits } from '../rec/method';
import { applyMapping, initMapping, type CollmMapping } from './mapping';

/** Which parts CoLLM trains. */
export type CollmVariant = 'stage2' | 'T1' | 'T2' | 'T3';

/** A frozen (or, in T1/T2, trained) CF model and its functions. */
export interface CfBackbone {
  readonly spec: CFSpec<CFCommonConfig>;
  readonly model: CFModel;
}

/** CoLLM options. */
export interface CollmOptions {
  readonly variant: CollmVariant;
  /** The TALLRec LoRA (stage 1); trained here only in T3. */
  readonly lora: Lora;
  readonly seed: number;
  /** Reuse trained mapping parameters (e.g. loaded from a checkpoint). */
  readonly mapping?: CollmMapping;
}

/** The CF user and item representations of a batch's rows. @returns each [B, d] */
export function cfEmbeddings(cf: CfBackbone, split: Parameters<typeof makeRowBatch>[0], rows: readonly number[], mode: { training: boolean; seed: number }): { user: tf.Tensor2D; item: tf.Tensor2D } {
  const cb = toCFBatch(makeRowBatch(split, [...rows], cf.model.config.maxHistory, cf.model.config.nItems));
  try {
    return { user: cf.spec.userRepr(cf.model, cb, mode), item: cf.spec.itemRepr(cf.model, cb, mode) };
  } finally {
    disposeCFBatch(cb);
  }
}

/** Builds the CoLLM method; its params are what the variant trains. */
export function collmMethod(llm: LlamaModel, yesId: number, cf: CfBackbone, opts: CollmOptions): RecMethod {
  const dCf = probeWidth(cf);
  const mapping = opts.mapping ?? initMapping(dCf, llm.config.hiddenSize, opts.seed);
  const params: Record<string, tf.Variable> = { ...mapping };
  if (opts.variant === 'T1' || opts.variant === 'T2') for (const [k, v] of Object.entries(cf.model.params)) params[`cf.${k}`] = v;
  if (opts.variant === 'T3') Object.assign(params, opts.lora.params);
  return {
    name: `collm${opts.variant === 'stage2' ? '' : '-' + opts.variant}`,
    promptKind: 'collm',
    params,
    logits: (b, mode) => tf.tidy(() => {
      if (b.userSlots.length !== b.B) throw new Error('collm: the batch has no placeholder positions (built from TALLRec prompts?)');
      const cfMode = { training: mode.training && (opts.variant === 'T1' || opts.variant === 'T2'), seed: mode.seed };
      const e = cfEmbeddings(cf, b.split, b.rows, cfMode);
      const vectors = applyMapping(mapping, tf.concat([e.user, e.item], 0) as tf.Tensor2D);
      return yesLogits(llm, yesId, b, loraHook(opts.lora, opts.variant === 'T3' ? mode : { training: false, seed: 0 }), { positions: [...b.userSlots, ...b.itemSlots], vectors });
    }),
    dispose: () => { if (!opts.mapping) tf.dispose(Object.values(mapping)); },
  };
}

/** Width of the CF model's user representation (checked equal to the item one). */
function probeWidth(cf: CfBackbone): number {
  const c = cf.model.config;
  const hist = tf.fill([1, Math.max(1, c.maxHistory)], c.nItems, 'int32') as tf.Tensor2D;
  const b = { userIdx: tf.tensor1d([0], 'int32'), itemIdx: tf.tensor1d([0], 'int32'), label: tf.tensor1d([0]), hist };
  try {
    const u = cf.spec.userRepr(cf.model, b, { training: false, seed: 0 }), i = cf.spec.itemRepr(cf.model, b, { training: false, seed: 0 });
    const du = u.shape[1], di = i.shape[1];
    tf.dispose([u, i]);
    if (du !== di) throw new Error(`collm: the CF model's user (${du}) and item (${di}) representations differ in width; the shared mapping needs one width`);
    return du;
  } finally {
    tf.dispose([b.userIdx, b.itemIdx, b.label, hist]);
  }
}
