// CoRA: the frozen CF model's user and item embeddings drive a small Q-Former-style generator whose
// output W_ui [dModel, r] (per sample, shared by all layers and modules) and per-module zero-initialised
// P [r, out] give a low-rank update of the frozen LLM's projections; the prompt stays plain text.
// At initialisation (P = 0) the scores equal the base LLM's exactly.
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645); docs/methods.md §6.
import * as tf from '@tensorflow/tfjs';
import { toCFBatch, disposeCFBatch } from '../cf/batch';
import type { CFCommonConfig, CFModel, CFSpec } from '../cf/types';
import { makeRowBatch } from '../data/batching';
import type { InteractionSplit } from '../data/types';
import { initPerSample, perSampleHook, type LowRankConfig, type PerSampleAdapter } from '../llm/adapters';
import type { Projection } from '../llm/weights';
import type { LlamaModel } from '../llm/weights';
import { yesLogits, type RecMethod } from '../rec/method';
import { generateWeights, initCoraGenerator, makeCoraGeneratorConfig, type CoraGeneratorConfig } from './generator';

/** CoRA's settings beyond the generator's. */
export interface CoraOptions {
  /** Rank r of W_ui and P. */
  readonly rank: number;
  /** Scale numerator (updates times alpha / r). */
  readonly alpha: number;
  /** Projections that receive the update (every layer). q,k,v,o by default; gate/up allowed. */
  readonly targets: readonly Projection[];
  /** Dropout on the adapter input. */
  readonly dropout: number;
  /** Generator size (the official one is 8 layers, 8 heads; smaller defaults suit small LLMs). */
  readonly generator: Partial<Omit<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'>>;
  readonly seed: number;
}

/** CoRA defaults: r=8, alpha=16 on q/k/v/o, no dropout. */
export const CORA_DEFAULTS: CoraOptions = Object.freeze({ rank: 8, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const, dropout: 0, generator: {}, seed: 0 });

/** A frozen CF model and its functions. */
export interface CoraBackbone {
  readonly spec: CFSpec<CFCommonConfig>;
  readonly model: CFModel;
}

/** The CoRA method plus what weight analyses need (all owned by the method; params holds the same variables). */
export interface CoraMethod extends RecMethod {
  readonly generatorConfig: CoraGeneratorConfig;
  /** Generator parameters by their names without the `generator.` prefix of params. */
  readonly generator: Readonly<Record<string, tf.Variable>>;
  /** The per-module P matrices [r, out] and the low-rank config (rank, alpha, targets, dropout). */
  readonly perSample: PerSampleAdapter;
  /** The frozen CF model the generator reads. */
  readonly backbone: CoraBackbone;
  /** W_ui of chosen rows of a split (the generator on their CF user and item representations). @returns [B, dModel, r] float32 */
  sampleWeights(split: InteractionSplit, rows: readonly number[]): tf.Tensor3D;
}

/** Builds the CoRA method: trains the generator and the P matrices; LLM and CF stay frozen. */
export function coraMethod(llm: LlamaModel, yesId: number, cf: CoraBackbone, options: Partial<CoraOptions> = {}): CoraMethod {
  const o = { ...CORA_DEFAULTS, ...options };
  for (const t of o.targets) {
    if (t === 'down_proj') throw new Error('cora: down_proj takes the FFN width as input; CoRA\'s W_ui has the model width (use q/k/v/o/gate/up)');
  }
  const c = cf.model.config;
  const probe = toCFBatch(makeRowBatch({ name: 'train', userIdx: new Int32Array([0]), itemIdx: new Int32Array([0]), label: new Uint8Array(1), timestamp: new Float64Array(1), notCold: new Uint8Array(1), rowId: new Int32Array(1), histOffsets: new Int32Array(2), histItems: new Int32Array(0) }, [0], c.maxHistory, c.nItems));
  const pu = cf.spec.userRepr(cf.model, probe, { training: false, seed: 0 });
  const dCf = pu.shape[1];
  tf.dispose(pu);
  disposeCFBatch(probe);
  const genCfg = makeCoraGeneratorConfig({ ...o.generator, dCf, dModel: llm.config.hiddenSize, rank: o.rank });
  const gen = initCoraGenerator(genCfg, o.seed);
  const lowRank: LowRankConfig = { r: o.rank, alpha: o.alpha, dropout: o.dropout, targets: o.targets };
  const ps = initPerSample(llm, lowRank);
  const params: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(gen)) params[`generator.${k}`] = v;
  Object.assign(params, ps.params);
  const sampleWeights = (split: InteractionSplit, rows: readonly number[]): tf.Tensor3D => tf.tidy(() => {
    const cb = toCFBatch(makeRowBatch(split, [...rows], c.maxHistory, c.nItems));
    const frozen = { training: false, seed: 0 };
    const w = generateWeights(gen, genCfg, cf.spec.userRepr(cf.model, cb, frozen), cf.spec.itemRepr(cf.model, cb, frozen));
    disposeCFBatch(cb);
    return w;
  });
  return {
    name: 'cora', promptKind: 'tallrec', params, generatorConfig: genCfg, generator: gen, perSample: ps, backbone: cf, sampleWeights,
    logits: (b, mode) => tf.tidy(() => yesLogits(llm, yesId, b, perSampleHook(ps, new Map([[llm.config.hiddenSize, sampleWeights(b.split, b.rows)]]), mode))),
    dispose: () => tf.dispose(Object.values(params)),
  };
}
