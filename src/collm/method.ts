// CoLLM: a CF model's user and item representations, mapped into the token-embedding space, replace
// the two placeholder tokens of the CoLLM prompt; the LLM is frozen with the LoRA of a text-only
// TALLRec stage 1. Variants: stage 2 (mapping only, the default), T1 (mapping + the pretrained CF model
// tuned further), T2 (mapping + the CF model trained from scratch), T3 (LoRA + mapping jointly, no stage 1).
// Reference: Zhang et al., CoLLM (arXiv 2310.19488) §3.3; docs/methods.md §5.
import * as tf from '@tensorflow/tfjs';
import { checkInt } from '../core/config';
import { makeRng } from '../core/rng';
import { cfEmbeddings, cfReprWidth, disposeBackbone, type CfBackbone } from '../cf/backbone';
import type { InteractionSplit } from '../data/types';
import { initLora, loraHook, type Lora } from '../llm/lora';
import type { LlamaModel } from '../llm/weights';
import { yesLogits, type RecMethod, type RecMethodSpec } from '../rec/method';
import { makeLoraOptions, TALLREC_LORA } from '../rec/text-methods';
import type { LowRankConfig } from '../llm/low-rank';
import { applyMapping, initMapping, type CollmMapping } from './mapping';

/** Which parts CoLLM trains. */
export type CollmVariant = 'stage2' | 'T1' | 'T2' | 'T3';

/** The variants, in the paper's order. */
export const COLLM_VARIANTS: readonly CollmVariant[] = ['stage2', 'T1', 'T2', 'T3'];

/** What collmMethod builds from. */
export interface CollmBuild {
  readonly variant: CollmVariant;
  /** The LoRA applied to the LLM: stage 1's (frozen here), or T3's (trained here). */
  readonly lora: Lora;
  readonly seed: number;
  /** Hidden width of the mapping as a multiple of the CF width (CoLLM: 10). */
  readonly mappingHiddenMult?: number;
  /** T2: the train rows its fresh CF model is built from (LightGCN's graph). */
  readonly train?: InteractionSplit;
}

/** Whether the variant trains the CF model. */
const trainsCf = (v: CollmVariant): boolean => v === 'T1' || v === 'T2';

/**
 * Builds the CoLLM method; its params are what the variant trains (mapping; + the CF model in T1/T2;
 * + the LoRA in T3). T2 re-initialises a CF model of the backbone's config (seeded), owned by the method.
 */
export function collmMethod(llm: LlamaModel, yesId: number, backbone: CfBackbone, opts: CollmBuild): RecMethod {
  let cf = backbone;
  if (opts.variant === 'T2') {
    if (!opts.train) throw new Error('collm T2: needs the train split to initialise its CF model from scratch');
    cf = { spec: backbone.spec, model: backbone.spec.init(backbone.model.config, makeRng(opts.seed + 101), opts.train) };
  }
  const mapping: CollmMapping = initMapping(cfReprWidth(cf), llm.config.hiddenSize, opts.seed, opts.mappingHiddenMult ?? 10);
  const params: Record<string, tf.Variable> = { ...mapping };
  if (trainsCf(opts.variant)) for (const [k, v] of Object.entries(cf.model.params)) params[`cf.${k}`] = v;
  if (opts.variant === 'T3') Object.assign(params, opts.lora.params);
  const frozen = { training: false, seed: 0 };
  return {
    name: `collm${opts.variant === 'stage2' ? '' : '-' + opts.variant}`,
    promptKind: 'collm', params, lora: opts.lora,
    logits: (b, mode) => tf.tidy(() => {
      if (b.userSlots.length !== b.B) throw new Error('collm: the batch has no placeholder positions (built from TALLRec prompts?)');
      const e = cfEmbeddings(cf, b.split, b.rows, trainsCf(opts.variant) ? mode : frozen);
      const vectors = applyMapping(mapping, tf.concat([e.user, e.item], 0) as tf.Tensor2D);
      return yesLogits(llm, yesId, b, loraHook(opts.lora, opts.variant === 'T3' ? mode : frozen), { positions: [...b.userSlots, ...b.itemSlots], vectors });
    }),
    dispose: () => {
      tf.dispose(Object.values(mapping));
      if (cf !== backbone) disposeBackbone(cf);
    },
  };
}

/** CoLLM's options. */
export interface CollmOptions {
  /** stage2 (default) | T1 | T2 | T3. */
  readonly variant: CollmVariant;
  /** The LoRA: stage 1's TALLRec LoRA (stage2/T1/T2) or the jointly trained one (T3); default TALLRec's r=8, alpha=16 on q,v. */
  readonly lora: LowRankConfig;
  /** Mapping hidden width as a multiple of the CF width (default 10, as CoLLM). */
  readonly mappingHiddenMult: number;
}

/** Registry entry of CoLLM. */
export const COLLM_SPEC: RecMethodSpec<CollmOptions> = {
  name: 'collm', label: 'CoLLM', cf: 'required', trains: true,
  makeOptions(o) {
    for (const k of Object.keys(o)) if (!['variant', 'lora', 'mappingHiddenMult'].includes(k)) throw new Error(`collm options: unknown field "${k}"; known: variant, lora, mappingHiddenMult`);
    const variant = o['variant'] ?? 'stage2';
    if (!COLLM_VARIANTS.includes(variant as CollmVariant)) throw new Error(`collm options.variant: "${String(variant)}" is not one of ${COLLM_VARIANTS.join(', ')}`);
    const mappingHiddenMult = (o['mappingHiddenMult'] ?? 10) as number;
    checkInt('collm options', 'mappingHiddenMult', mappingHiddenMult, 1);
    return Object.freeze({ variant: variant as CollmVariant, lora: makeLoraOptions(o['lora'], 'collm options.lora', TALLREC_LORA), mappingHiddenMult });
  },
  checkShapes(o, s) {
    if (o.lora.r > s.dModel) throw new Error(`collm options.lora.r = ${o.lora.r} exceeds the LLM's hidden size ${s.dModel}`);
  },
  stage1: (o) => (o.variant === 'T3' ? null : { method: 'tallrec', options: { lora: o.lora } }),
  build(ctx, o) {
    if (!ctx.cf) throw new Error('collm: needs a CF backbone');
    let lora: Lora;
    let ownsLora = false;
    if (o.variant === 'T3') {
      lora = initLora(ctx.llm, o.lora, ctx.seed);
      ownsLora = true;
    } else {
      if (!ctx.stage1?.lora) throw new Error(`collm ${o.variant}: needs its trained TALLRec stage 1 (a LoRA)`);
      lora = ctx.stage1.lora;
    }
    const m = collmMethod(ctx.llm, ctx.yesId, ctx.cf, { variant: o.variant, lora, seed: ctx.seed, mappingHiddenMult: o.mappingHiddenMult, train: ctx.train });
    return ownsLora ? { ...m, dispose: () => { m.dispose(); tf.dispose(Object.values(lora.params)); } } : m;
  },
  runTag: (o) => (o.variant === 'stage2' ? '' : o.variant),
};
