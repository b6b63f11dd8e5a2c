// The JSON-serialisable config of one LLM-recommender experiment, its validation (every option and
// combination, before any work), and the seeded valid/test row samples every run and every loader use.
// Reference: docs/methods.md §5-7; docs/architecture.md §9 (runner).
import { checkInt } from '../core/config';
import type { BackendChoice } from '../core/types';
import { cfSpec } from '../cf/registry';
import type { CFKind } from '../cf/types';
import { parseDatasetName, type DatasetName } from '../data/load';
import { sampleSplit } from '../data/subset';
import type { Dataset, InteractionSplit } from '../data/types';
import { makeRecTrainConfig, type RecTrainConfig } from '../rec/train';
import { recMethodNames, recMethodSpec } from './methods';

/** One JSON-serialisable LLM-recommender experiment. */
export interface RecExperimentConfig {
  /** Dataset name (see loadDataset). */
  readonly dataset: DatasetName;
  /** Data folder override; null = default resolution (CFLLM_DATA_DIR, data/, ../shared/data). */
  readonly dataDir: string | null;
  /** A registered LLM method (src/runner/methods.ts): base, tallrec, collm, cora, ... */
  readonly method: string;
  /** The method's options, resolved over its defaults and preset by its spec (saved in full). */
  readonly options: Readonly<Record<string, unknown>>;
  /** LLM folder (Hugging Face format); null = the default model (models/kit-lm or CFLLM_MODEL_DIR). */
  readonly llmDir: string | null;
  /** CF backbone for methods that read one: a finished CF run folder, or trained in the run folder when runDir is null; null for text-only methods. */
  readonly cf: { readonly model: CFKind; readonly runDir: string | null } | null;
  /** A finished run of the method's stage 1 (e.g. TALLRec for CoLLM) to start from; null = trained in the run folder. */
  readonly stage1RunDir: string | null;
  /** Training settings over REC_TRAIN_DEFAULTS (all stages). */
  readonly train: Readonly<Partial<RecTrainConfig>>;
  /** Evaluate on at most this many test rows (seeded sample; 0 = all). */
  readonly testRows: number;
  /** Select the model on at most this many valid_small rows (seeded sample; 0 = all). */
  readonly validRows: number;
  /** Seed of initialisation, batches, dropout and the row samples. */
  readonly seed: number;
  /** Compute backend. */
  readonly backend: BackendChoice;
}

/** Defaults (TALLRec on the embedded synthetic world). */
export const REC_EXPERIMENT_DEFAULTS: RecExperimentConfig = Object.freeze<RecExperimentConfig>({
  dataset: 'synthetic', dataDir: null, method: 'tallrec', options: {}, llmDir: null, cf: null, stage1RunDir: null,
  train: {}, testRows: 0, validRows: 0, seed: 0, backend: 'auto',
});

/** The CF backbone a method gets when none is named. */
const DEFAULT_CF: CFKind = 'mf';

/**
 * Merges and checks an experiment: known fields, a registered method, a CF backbone exactly when the
 * method reads one, a stage-1 run only for methods with a stage 1, the method's options (resolved in
 * full), the training budget, row counts and seed. Errors name the field.
 */
export function makeRecExperiment(o: Partial<RecExperimentConfig>): RecExperimentConfig {
  for (const k of Object.keys(o)) if (!(k in REC_EXPERIMENT_DEFAULTS)) throw new Error(`RecExperimentConfig: unknown field "${k}"; known: ${Object.keys(REC_EXPERIMENT_DEFAULTS).join(', ')}`);
  const c = { ...REC_EXPERIMENT_DEFAULTS, ...o };
  parseDatasetName(c.dataset, 'RecExperimentConfig.dataset');
  if (typeof c.method !== 'string' || !recMethodNames().includes(c.method)) throw new Error(`RecExperimentConfig.method: "${String(c.method)}" is not a registered LLM method (${recMethodNames().join(', ')})`);
  const spec = recMethodSpec(c.method);
  let cf = c.cf;
  if (spec.cf === 'required') {
    cf = cf ?? { model: spec.defaultCf ?? DEFAULT_CF, runDir: null };
    cfSpec(cf.model);
  } else if (cf !== null) {
    throw new Error(`RecExperimentConfig.cf: ${c.method} reads no CF backbone (got ${cf.model}${cf.runDir ? ` from ${cf.runDir}` : ''}); leave cf null`);
  }
  if (c.options === null || typeof c.options !== 'object' || Array.isArray(c.options)) throw new Error(`RecExperimentConfig.options: expected an object, got ${JSON.stringify(c.options)}`);
  const options = spec.makeOptions(c.options, cf?.model ?? null) as Readonly<Record<string, unknown>>;
  if (c.stage1RunDir !== null && spec.stage1(options) === null) throw new Error(`RecExperimentConfig.stage1RunDir: ${c.method} with these options has no stage 1 to take from ${c.stage1RunDir}`);
  makeRecTrainConfig({ ...c.train, seed: c.seed });
  checkInt('RecExperimentConfig', 'testRows', c.testRows, 0);
  checkInt('RecExperimentConfig', 'validRows', c.validRows, 0);
  checkInt('RecExperimentConfig', 'seed', c.seed, 0);
  return Object.freeze({ ...c, cf, options });
}

/** The experiment's seeded row samples: model selection on valid_small (else valid), evaluation on test. */
export function recRunSplits(ds: Dataset, exp: Pick<RecExperimentConfig, 'validRows' | 'testRows' | 'seed'>): { valid: InteractionSplit; test: InteractionSplit } {
  return {
    valid: sampleSplit(ds.splits.validSmall ?? ds.splits.valid, exp.validRows, exp.seed + 1),
    test: sampleSplit(ds.splits.test, exp.testRows, exp.seed + 2),
  };
}

/** The run's resolved training config. */
export function recTrainConfig(exp: RecExperimentConfig): RecTrainConfig {
  return makeRecTrainConfig({ ...exp.train, seed: exp.seed });
}

/** The run-name part after the dataset: method[-tag][-cf], e.g. "collm-T1-mf", "cora-official-lightgcn". */
export function recRunTag(exp: RecExperimentConfig): string {
  const tag = recMethodSpec(exp.method).runTag(exp.options);
  return [exp.method, tag, exp.cf?.model ?? ''].filter((s) => s !== '').join('-');
}
