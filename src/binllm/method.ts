// BinLLM: a hash-mf model's binary user and item codes, written as text (binary digits or dot-decimal),
// fill the ID fields of CoLLM's prompt; stage 1 is text-only TALLRec LoRA, stage 2 tunes that LoRA further
// with the codes in the prompt (the code model frozen). The LLM reads the codes as ordinary tokens.
// Reference: Zhang et al., BinLLM (ACL 2024, arXiv 2406.03210); train_configs/hash_CF_ml.yaml; docs/methods.md §10.
import * as tf from '@tensorflow/tfjs';
import { checkInt } from '../core/config';
import { ownedVariable } from '../core/variable';
import type { CfBackbone } from '../cf/backbone';
import { hashCodeBits } from '../cf/hash-mf';
import { loraHook, type Lora } from '../llm/lora';
import type { LowRankConfig } from '../llm/low-rank';
import type { LlamaModel } from '../llm/weights';
import { yesLogits, type RecMethod, type RecMethodSpec } from '../rec/method';
import { makeLoraOptions, TALLREC_LORA } from '../rec/text-methods';
import { CODE_FORMS, promptCodes, type CodeForm } from './codes';

/** BinLLM's options. */
export interface BinllmOptions {
  /** How codes are written: 'binary' (default, hash_CF_ml.yaml code_mode) or 'ipv4' (dot-decimal, 8 bits per number). */
  readonly form: CodeForm;
  /** Code length in bits; must equal the hash-mf model's dEmb; default 32 (the official ML-1M run). */
  readonly codeBits: number;
  /** The LoRA of stage 1 (TALLRec) and stage 2; default TALLRec's r=8, alpha=16, dropout 0.05 on q_proj, v_proj. */
  readonly lora: LowRankConfig;
}

const KNOWN = ['form', 'codeBits', 'lora'];

/**
 * Builds BinLLM stage 2 from the hash-mf backbone and the trained stage-1 LoRA: its params are a copy
 * of that LoRA (trained further here; stage 1 stays as it was), its prompts carry the codes as text.
 */
export function binllmMethod(llm: LlamaModel, yesId: number, cf: CfBackbone, stage1Lora: Lora, o: BinllmOptions): RecMethod {
  if (cf.model.config.dEmb !== o.codeBits) throw new Error(`binllm options.codeBits = ${o.codeBits}, but the hash-mf model's codes have ${cf.model.config.dEmb} bits`);
  const codes = promptCodes(hashCodeBits(cf.model), o.codeBits, o.form);
  const params: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(stage1Lora.params)) params[k] = ownedVariable(tf.clone(v));
  const lora: Lora = { config: stage1Lora.config, params };
  return {
    name: o.form === 'binary' ? 'binllm' : 'binllm-ipv4', promptKind: 'binllm', promptCodes: codes, params, lora,
    logits: (b, mode) => yesLogits(llm, yesId, b, loraHook(lora, mode)),
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/** Registry entry of BinLLM. */
export const BINLLM_SPEC: RecMethodSpec<BinllmOptions> = {
  name: 'binllm', label: 'BinLLM', cf: 'required', defaultCf: 'hash-mf', trains: true,
  makeOptions(o, cf) {
    for (const k of Object.keys(o)) if (!KNOWN.includes(k)) throw new Error(`binllm options: unknown field "${k}"; known: ${KNOWN.join(', ')}`);
    if (cf !== 'hash-mf') throw new Error(`binllm: reads binary codes from a hash-mf CF model (--cf hash-mf, or a hash-mf --cf-run), got ${cf ?? 'none'}`);
    const form = o['form'] ?? 'binary';
    if (!CODE_FORMS.includes(form as CodeForm)) throw new Error(`binllm options.form: "${String(form)}" is not one of ${CODE_FORMS.join(', ')}`);
    const codeBits = (o['codeBits'] ?? 32) as number;
    checkInt('binllm options', 'codeBits', codeBits, 1);
    if (form === 'ipv4' && codeBits % 8 !== 0) throw new Error(`binllm options.codeBits = ${codeBits}: the ipv4 form writes 8 bits per number, so codeBits must be a multiple of 8`);
    return Object.freeze({ form: form as CodeForm, codeBits, lora: makeLoraOptions(o['lora'], 'binllm options.lora', TALLREC_LORA) });
  },
  checkShapes(o, s) {
    if (o.lora.r > s.dModel) throw new Error(`binllm options.lora.r = ${o.lora.r} exceeds the LLM's hidden size ${s.dModel}`);
    if (s.dCf !== null && s.dCf !== o.codeBits) throw new Error(`binllm options.codeBits = ${o.codeBits}, but the hash-mf codes have ${s.dCf} bits; pass codeBits ${s.dCf} or a ${o.codeBits}-bit hash-mf run`);
  },
  stage1: (o) => ({ method: 'tallrec', options: { lora: o.lora } }),
  build(ctx, o) {
    if (!ctx.cf) throw new Error('binllm: needs its hash-mf CF backbone');
    if (!ctx.stage1?.lora) throw new Error('binllm: needs its trained TALLRec stage 1 (a LoRA)');
    return binllmMethod(ctx.llm, ctx.yesId, ctx.cf, ctx.stage1.lora, o);
  },
  runTag: (o) => (o.form === 'binary' ? '' : o.form),
};
