// The text-only LLM recommenders: the frozen base LLM (nothing trained) and TALLRec (LoRA on the frozen
// LLM, TALLRec's prompt). Both read only titles; TALLRec is also CoLLM's stage 1.
// Reference: Bao et al., TALLRec (RecSys 2023); docs/methods.md §2, §4.
import * as tf from '@tensorflow/tfjs';
import { mergeConfig } from '../core/config';
import { checkLowRank, type LowRankConfig } from '../llm/low-rank';
import { initLora, loraHook, type Lora } from '../llm/lora';
import type { LlamaModel } from '../llm/weights';
import { yesLogits, type RecMethod, type RecMethodSpec } from './method';

/** TALLRec defaults: LoRA r=8, alpha=16, dropout 0.05 on q_proj and v_proj. */
export const TALLREC_LORA: LowRankConfig = Object.freeze({ r: 8, alpha: 16, dropout: 0.05, targets: ['q_proj', 'v_proj'] as const });

/** Merges a LoRA config over a default and validates it; `what` names the option in errors (e.g. "options.lora"). */
export function makeLoraOptions(o: unknown, what: string, defaults: LowRankConfig = TALLREC_LORA): LowRankConfig {
  if (o === undefined) return defaults;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`${what}: expected an object { r, alpha, dropout, targets }, got ${JSON.stringify(o)}`);
  const c = mergeConfig(what, defaults, o as Partial<LowRankConfig>);
  if (!Array.isArray(c.targets)) throw new Error(`${what}.targets: expected an array of projection names, got ${JSON.stringify(c.targets)}`);
  checkLowRank(c, what);
  return Object.freeze({ ...c, targets: Object.freeze([...c.targets]) });
}

/** The frozen LLM with TALLRec's text-only prompt and no trained parameters. */
export function baseMethod(llm: LlamaModel, yesId: number): RecMethod {
  return { name: 'base', promptKind: 'tallrec', params: {}, logits: (b) => yesLogits(llm, yesId, b), dispose: () => undefined };
}

/** TALLRec: LoRA on the frozen LLM, text-only prompt. Pass an existing Lora to evaluate or continue it (then dispose leaves it). */
export function tallrecMethod(llm: LlamaModel, yesId: number, opts: { lora?: Lora; config?: LowRankConfig; seed?: number } = {}): RecMethod {
  const lora = opts.lora ?? initLora(llm, opts.config ?? TALLREC_LORA, opts.seed ?? 0);
  return {
    name: 'tallrec', promptKind: 'tallrec', params: lora.params, lora,
    logits: (b, mode) => yesLogits(llm, yesId, b, loraHook(lora, mode)),
    dispose: () => { if (!opts.lora) tf.dispose(Object.values(lora.params)); },
  };
}

function noOptions(o: Readonly<Record<string, unknown>>, what: string): Record<string, never> {
  const extra = Object.keys(o);
  if (extra.length > 0) throw new Error(`${what}: takes no options (got ${extra.join(', ')})`);
  return Object.freeze({});
}

/** Registry entry of the base LLM. */
export const BASE_SPEC: RecMethodSpec<Record<string, never>> = {
  name: 'base', label: 'base LLM', cf: 'none', trains: false,
  makeOptions: (o) => noOptions(o, 'base options'),
  checkShapes: () => undefined,
  stage1: () => null,
  build: (ctx) => baseMethod(ctx.llm, ctx.yesId),
  runTag: () => '',
};

/** TALLRec's options. */
export interface TallrecOptions {
  /** The LoRA (default r=8, alpha=16, dropout 0.05 on q_proj, v_proj). */
  readonly lora: LowRankConfig;
}

/** Registry entry of TALLRec. */
export const TALLREC_SPEC: RecMethodSpec<TallrecOptions> = {
  name: 'tallrec', label: 'TALLRec', cf: 'none', trains: true,
  makeOptions(o) {
    for (const k of Object.keys(o)) if (k !== 'lora') throw new Error(`tallrec options: unknown field "${k}"; known: lora`);
    return Object.freeze({ lora: makeLoraOptions(o['lora'], 'tallrec options.lora') });
  },
  checkShapes(o, s) {
    if (o.lora.r > s.dModel) throw new Error(`tallrec options.lora.r = ${o.lora.r} exceeds the LLM's hidden size ${s.dModel}`);
  },
  stage1: () => null,
  build: (ctx, o) => tallrecMethod(ctx.llm, ctx.yesId, { config: o.lora, seed: ctx.seed }),
  runTag: () => '',
};
