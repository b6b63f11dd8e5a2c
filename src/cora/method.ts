// CoRA: the frozen CF model's user and item representations drive a small Q-Former-style generator whose
// output W_ui [dModel, r] (per sample, shared by all layers and modules) and per-module zero-initialised
// P [r, out] give a low-rank update of the frozen LLM's projections; the prompt stays plain text.
// At initialisation (P = 0) the scores equal the base LLM's exactly. Two presets: `official` (the
// official configs' ranks, dropouts and Q-Former) and `kit` (a small generator for small LLMs).
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645); docs/methods.md §6.
import * as tf from '@tensorflow/tfjs';
import { mergeConfig } from '../core/config';
import type { ForwardMode } from '../core/types';
import { cfEmbeddings, cfReprWidth, type CfBackbone } from '../cf/backbone';
import type { CFKind } from '../cf/types';
import type { InteractionSplit } from '../data/types';
import { checkLowRank, type LowRankConfig } from '../llm/low-rank';
import { initPerSample, perSampleHook, type PerSampleAdapter } from '../llm/per-sample';
import type { LlamaModel, Projection } from '../llm/weights';
import { yesLogits, type RecMethod, type RecMethodSpec } from '../rec/method';
import { CORA_GENERATOR_DEFAULTS, CORA_GENERATOR_OFFICIAL, generateWeights, initCoraGenerator, makeCoraGeneratorConfig, type CoraGeneratorConfig } from './generator';

/** Which preset the options start from. */
export type CoraPreset = 'official' | 'kit';

/** CoRA's options (the generator's sizes besides dCf, dModel and rank are in `generator`). */
export interface CoraOptions {
  /** Preset the other fields default from: 'official' or 'kit' (default). */
  readonly preset: CoraPreset;
  /** Rank r of W_ui and P (official: 16 with MF, 64 with LightGCN/SASRec; kit: 8). */
  readonly rank: number;
  /** Scale numerator: updates are multiplied by alpha / r (official and kit: 2r). */
  readonly alpha: number;
  /** Projections that receive the update in every layer (q, k, v, o; gate/up also allowed). */
  readonly targets: readonly Projection[];
  /** Dropout on the adapter input while training (official and kit: 0.05). */
  readonly dropout: number;
  /** Generator shape and regularisation (see CoraGeneratorConfig). */
  readonly generator: Readonly<Omit<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'>>;
}

const TARGETS: readonly Projection[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];

/** The preset's options for a CF backbone (the official rank depends on it). */
export function coraPreset(preset: CoraPreset, cf: CFKind | null): CoraOptions {
  if (preset === 'official') {
    const rank = cf === 'mf' || cf === null ? 16 : 64;
    return Object.freeze({ preset, rank, alpha: 2 * rank, targets: TARGETS, dropout: 0.05, generator: CORA_GENERATOR_OFFICIAL });
  }
  return Object.freeze({ preset, rank: 8, alpha: 16, targets: TARGETS, dropout: 0.05, generator: CORA_GENERATOR_DEFAULTS });
}

/** Merges options over their preset and validates them (errors name `cora options.<field>`). */
export function makeCoraOptions(o: Readonly<Record<string, unknown>>, cf: CFKind | null): CoraOptions {
  const preset = (o['preset'] ?? 'kit') as CoraPreset;
  if (preset !== 'official' && preset !== 'kit') throw new Error(`cora options.preset: "${String(preset)}" is not one of official, kit`);
  const base = coraPreset(preset, cf);
  const c = mergeConfig('cora options', base, o as Partial<CoraOptions>);
  // a rank given without alpha keeps the preset's alpha / r ratio
  const alpha = o['alpha'] === undefined && o['rank'] !== undefined ? (base.alpha / base.rank) * c.rank : c.alpha;
  const generator = mergeConfig('cora options.generator', base.generator, (c.generator ?? {}) as Partial<CoraOptions['generator']>);
  const lowRank: LowRankConfig = { r: c.rank, alpha, dropout: c.dropout, targets: c.targets };
  checkLowRank(lowRank, 'cora options');
  if (c.targets.includes('down_proj')) throw new Error('cora options.targets: down_proj takes the FFN width as input; W_ui has the model width (use q/k/v/o/gate/up)');
  makeCoraGeneratorConfig({ ...generator, dCf: 1, dModel: Math.max(1, c.rank), rank: c.rank, width: generator.width || generator.nHeads });
  return Object.freeze({ ...c, alpha, targets: Object.freeze([...c.targets]), generator: Object.freeze(generator) });
}

/** The CoRA method plus what weight analyses need (all owned by the method; params holds the same variables). */
export interface CoraMethod extends RecMethod {
  readonly generatorConfig: CoraGeneratorConfig;
  /** Generator parameters by their names without the `generator.` prefix of params. */
  readonly generator: Readonly<Record<string, tf.Variable>>;
  /** The per-module P matrices [r, out] and the low-rank config (rank, alpha, targets, dropout). */
  readonly perSample: PerSampleAdapter;
  /** The frozen CF model the generator reads. */
  readonly backbone: CfBackbone;
  /** W_ui of chosen rows of a split (the generator on their CF user and item representations). @returns [B, dModel, r] float32 */
  sampleWeights(split: InteractionSplit, rows: readonly number[], mode?: ForwardMode): tf.Tensor3D;
}

/** Whether a built method is CoRA (has the generator and per-sample adapter analyses read). */
export function isCoraMethod(m: RecMethod): m is CoraMethod {
  return 'sampleWeights' in m && 'perSample' in m;
}

/** Builds the CoRA method: trains the generator and the P matrices; LLM and CF stay frozen. */
export function coraMethod(llm: LlamaModel, yesId: number, cf: CfBackbone, options: CoraOptions, seed: number): CoraMethod {
  const genCfg = makeCoraGeneratorConfig({ ...options.generator, dCf: cfReprWidth(cf), dModel: llm.config.hiddenSize, rank: options.rank });
  const gen = initCoraGenerator(genCfg, seed);
  const ps = initPerSample(llm, { r: options.rank, alpha: options.alpha, dropout: options.dropout, targets: options.targets });
  const params: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(gen)) params[`generator.${k}`] = v;
  Object.assign(params, ps.params);
  const frozen = { training: false, seed: 0 };
  const sampleWeights = (split: InteractionSplit, rows: readonly number[], mode: ForwardMode = frozen): tf.Tensor3D => tf.tidy(() => {
    const e = cfEmbeddings(cf, split, rows, frozen);
    return generateWeights(gen, genCfg, e.user, e.item, mode);
  });
  return {
    name: 'cora', promptKind: 'tallrec', params, generatorConfig: genCfg, generator: gen, perSample: ps, backbone: cf, sampleWeights,
    logits: (b, mode) => tf.tidy(() => yesLogits(llm, yesId, b, perSampleHook(ps, new Map([[llm.config.hiddenSize, sampleWeights(b.split, b.rows, mode)]]), mode))),
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/** Registry entry of CoRA. */
export const CORA_SPEC: RecMethodSpec<CoraOptions> = {
  name: 'cora', label: 'CoRA', cf: 'required', trains: true,
  makeOptions: makeCoraOptions,
  checkShapes(o, s) {
    if (o.rank > s.dModel) throw new Error(`cora options.rank = ${o.rank} exceeds the LLM's hidden size ${s.dModel}`);
    if (s.dCf !== null) makeCoraGeneratorConfig({ ...o.generator, dCf: s.dCf, dModel: s.dModel, rank: o.rank });
  },
  stage1: () => null,
  build(ctx, o) {
    if (!ctx.cf) throw new Error('cora: needs a CF backbone');
    return coraMethod(ctx.llm, ctx.yesId, ctx.cf, o, ctx.seed);
  },
  runTag: (o) => (o.preset === 'official' ? 'official' : ''),
};
