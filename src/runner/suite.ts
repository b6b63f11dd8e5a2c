// The shared runs behind the notebooks: one budget per scale (dataset, seeds, CF and LLM training
// budgets, rows scored) and named run folders, so that notebook 3 trains TALLRec/CoLLM, notebook 4
// trains CoRA, and notebooks 5-8 reuse those same finished runs instead of training again. At `paper`
// scale the folders are the ML-1M table's own (results/runs/collm-ml1m-*).
// Reference: issue "notebooks"; docs/methods.md §3-7.
import * as fs from 'fs';
import * as path from 'path';
import type { BackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson } from '../core/io';
import { projectPath, projectRoot, resolveModelDir, storedPath } from '../core/paths';
import { noteLogger, type ProgressCallback } from '../core/progress';
import type { CFTrainConfig } from '../cf/train';
import type { CFKind } from '../cf/types';
import type { DatasetName } from '../data/load';
import type { Dataset } from '../data/types';
import type { RecTrainConfig } from '../rec/train';
import { makeCFExperiment, runCFExperiment, type CFExperimentConfig, type CFRunResult } from './cf-experiment';
import { recMethodSpec } from './methods';
import { ML1M_TABLE, ml1mTableOptions } from './ml1m-plan';
import { checkSameLlm } from './rec-run';
import { makeRecExperiment, type RecExperimentConfig } from './rec-config';
import { runRecExperiment, type RecRunResult } from './rec-experiment';
import type { Scale } from './scale';

/** What one scale runs. */
export interface SuiteBudget {
  /** Dataset of every run at this scale. */
  readonly dataset: DatasetName;
  /** Seeds the notebooks run (each notebook may use the first only). */
  readonly seeds: readonly number[];
  /** CF training over the model's preset (CF_TRAIN_PRESETS), all models. */
  readonly cfTrain: Readonly<Partial<CFTrainConfig>>;
  /** Per-model CF training over `cfTrain`. */
  readonly cfTrainByModel: Readonly<Partial<Record<CFKind, Readonly<Partial<CFTrainConfig>>>>>;
  /** LLM training (all LLM methods). */
  readonly recTrain: Readonly<Partial<RecTrainConfig>>;
  /** Test rows scored by the LLM methods (seeded sample; 0 = all). */
  readonly testRows: number;
  /** Validation rows for model selection (seeded sample of valid_small; 0 = all). */
  readonly validRows: number;
  /** LLM folder of the LLM runs (project-relative); null = the default model (models/kit-lm or $CFLLM_MODEL_DIR). */
  readonly llmDir: string | null;
  /** Options of each method's plain run (over the method's defaults); a run's own options go over these. */
  readonly recOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const ML1M_TABLE_OPTIONS = Object.freeze(Object.fromEntries(['tallrec', 'collm', 'binllm', 'cora']
  .map((m) => [m, ml1mTableOptions(m, ML1M_TABLE.lora, ML1M_TABLE.coraPreset)])));

/** The budgets. `default` is the demo's (a few minutes per LLM run on a laptop CPU); `paper` is the ML-1M table's. */
export const SUITE_BUDGETS: Readonly<Record<Scale, SuiteBudget>> = Object.freeze({
  smoke: {
    dataset: 'synthetic', seeds: [0], cfTrain: { lr: 1e-2, maxEpochs: 3, patience: 3 },
    // SASRec and DIN epochs cost ~10 s and ~5 s on a 2-core CPU: fewer of them
    cfTrainByModel: { sasrec: { weightDecay: 0, batchSize: 256, maxEpochs: 1 }, din: { lr: 1e-3, maxEpochs: 2 } },
    recTrain: { maxEpochs: 1, itersPerEpoch: 3, warmupSteps: 0, patience: 1, batchSize: 4, evalBatchSize: 32 }, testRows: 160, validRows: 64,
    llmDir: null, recOptions: {},
  },
  default: {
    dataset: 'synthetic', seeds: [0], cfTrain: { lr: 1e-2, maxEpochs: 60, patience: 10 },
    // on the synthetic world SASRec's ML-1M preset (wd 1e-2, batch 2048) stays near AUC 0.52 for 10 epochs; without
    // weight decay at batch 256 it reaches ~0.59 in 10 (~2 min); DIN at lr 1e-2 overfits after one epoch, at 1e-3 after ~4
    cfTrainByModel: { sasrec: { weightDecay: 0, batchSize: 256, maxEpochs: 10, patience: 3 }, din: { lr: 1e-3, maxEpochs: 20, patience: 3 } },
    // LLM runs stop on valid AUC (patience 3) within a 10-epoch cap: measured on the v2 world with models/kit-lm,
    // CoRA-MF's valid AUC still rose at epoch 7 and CoLLM-MF peaked at epoch 8 of 25-step epochs; 3 x 25 steps left both inside warm-up
    recTrain: { maxEpochs: 10, itersPerEpoch: 25, warmupSteps: 12, patience: 3, evalBatchSize: 32 }, testRows: 1000, validRows: 500,
    llmDir: null, recOptions: {},
  },
  // the ML-1M table's own settings (src/runner/ml1m-plan.ts), so the notebooks reuse its runs
  paper: {
    dataset: 'collm-ml1m', seeds: [0, 1, 2], cfTrain: {}, cfTrainByModel: {},
    recTrain: ML1M_TABLE.train, testRows: ML1M_TABLE.testRows, validRows: ML1M_TABLE.validRows,
    llmDir: ML1M_TABLE.llmDir, recOptions: ML1M_TABLE_OPTIONS,
  },
});

/** Where suite runs live and how they run. */
export interface SuiteOptions {
  /** Root of the smoke/default run folders: explicit, else $CFLLM_RUNS_DIR, else results/notebooks. */
  readonly runsRoot?: string;
  /** Compute backend of the runs; default 'auto'. */
  readonly backend?: BackendChoice;
  /** Progress lines (training epochs, scoring). */
  readonly onProgress?: ProgressCallback;
  /** An already loaded dataset of this scale (saves reloading it per run). */
  readonly dataset?: Dataset;
}

/** A finished run: its folder and its result.json. */
export interface SuiteRun<R> {
  readonly dir: string;
  readonly result: R;
}

/** The budget of a scale. */
export function suiteBudget(scale: Scale): SuiteBudget {
  const b = SUITE_BUDGETS[scale];
  if (!b) throw new Error(`suiteBudget: unknown scale "${scale}"`);
  return b;
}

/** The folder of the run `name` (e.g. "cora-mf-s0") at a scale. */
export function suiteRunDir(scale: Scale, name: string, opts: Pick<SuiteOptions, 'runsRoot'> = {}): string {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`suiteRunDir: bad run name "${name}" (lower-case letters, digits, '.', '-')`);
  const b = suiteBudget(scale);
  if (scale === 'paper') return path.join(projectRoot(), 'results', 'runs', `${b.dataset}-${name}`);
  const root = opts.runsRoot ?? readEnv('CFLLM_RUNS_DIR') ?? path.join(projectRoot(), 'results', 'notebooks');
  return path.join(path.resolve(root), scale, `${b.dataset}-${name}`);
}

/** Name of a run: method[-cf][-tag]-s<seed>. */
export function suiteRunName(method: string, cf: CFKind | null, seed: number, tag = ''): string {
  return `${method}${cf ? `-${cf}` : ''}${tag ? `-${tag}` : ''}-s${seed}`;
}

/** A config with its run-folder paths resolved, so stored relative and absolute paths compare equal. */
function comparable(config: unknown): string {
  return JSON.stringify(config, (k, v: unknown) => ((k === 'runDir' || k === 'stage1RunDir') && typeof v === 'string' ? projectPath(v) : v));
}

/** Returns result.json when the folder holds a finished run of exactly `config`; null when unfinished; throws when it holds another experiment. */
function finished<R extends { config: unknown }>(dir: string, config: unknown): R | null {
  const f = path.join(dir, 'result.json');
  if (!fs.existsSync(f)) return null;
  const r = readJson<R>(f);
  if (comparable(r.config) !== comparable(config)) {
    throw new Error(`${f}: a finished run of a different experiment (settings changed since); delete ${dir} to run it again`);
  }
  return r;
}

/** The CF experiment of a scale. */
export function suiteCFExperiment(scale: Scale, model: CFKind, seed: number, opts: Pick<SuiteOptions, 'backend'> = {}): CFExperimentConfig {
  const b = suiteBudget(scale);
  return makeCFExperiment({ dataset: b.dataset, model, seed, backend: opts.backend ?? 'auto', train: { ...b.cfTrain, ...b.cfTrainByModel[model] } });
}

/** Trains (or resumes, or reuses when finished) the CF model `model` at a scale. */
export async function suiteCF(scale: Scale, model: CFKind, seed: number, opts: SuiteOptions = {}): Promise<SuiteRun<CFRunResult>> {
  const dir = suiteRunDir(scale, suiteRunName(model, null, seed), opts);
  const exp = suiteCFExperiment(scale, model, seed, opts);
  const done = finished<CFRunResult>(dir, exp);
  if (done) {
    noteLogger(opts.onProgress)(`${model} seed ${seed}: reusing the finished run in ${storedPath(dir)}`);
    return { dir, result: done };
  }
  const result = await runCFExperiment(exp, { outDir: dir, onProgress: opts.onProgress, ...(opts.dataset ? { datasetOverride: opts.dataset } : {}) });
  return { dir, result };
}

/** Settings of one LLM run beyond the scale's budget (e.g. { options: { rank: 4 } } with tag "r4"). */
export interface SuiteRecExtra {
  /** Overrides of the experiment (not dataset, method or seed); `train` is merged over the scale's budget. */
  readonly config?: Partial<Pick<RecExperimentConfig, 'options' | 'stage1RunDir' | 'llmDir' | 'train' | 'testRows' | 'validRows'>>;
  /** Run-name suffix that tells this run apart from the plain one; required with `config`. */
  readonly tag?: string;
}

/** The options of a method's run at a scale: the scale's options of the method, then the run's own. */
function runOptions(scale: Scale, method: string, own: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { ...suiteBudget(scale).recOptions[method], ...own };
}

/** The plain suite run folder of a method's stage 1 (e.g. CoLLM's TALLRec) when its options are the scale's plain run's, else null. */
function plainStage1Dir(scale: Scale, method: string, cf: CFKind | null, options: Readonly<Record<string, unknown>>, seed: number, opts: Pick<SuiteOptions, 'runsRoot'>): { dir: string; method: string } | null {
  const plan = recMethodSpec(method).stage1(recMethodSpec(method).makeOptions(options, cf));
  if (!plan) return null;
  const s1 = recMethodSpec(plan.method);
  const isDefault = JSON.stringify(s1.makeOptions(plan.options, null)) === JSON.stringify(s1.makeOptions(runOptions(scale, plan.method), null));
  if (!isDefault) throw new Error(`suiteRecExperiment: ${method}'s stage 1 (${plan.method} with ${JSON.stringify(plan.options)}) is not the plain suite run; pass config.stage1RunDir`);
  return { dir: suiteRunDir(scale, suiteRunName(plan.method, null, seed), opts), method: plan.method };
}

/** The LLM experiment of a scale; methods with a CF backbone take the scale's CF run, methods with a stage 1 the plain suite run of it (or config.stage1RunDir). */
export function suiteRecExperiment(scale: Scale, method: string, cf: CFKind | null, seed: number, extra: SuiteRecExtra = {}, opts: Pick<SuiteOptions, 'backend' | 'runsRoot'> = {}): RecExperimentConfig {
  const b = suiteBudget(scale);
  const spec = recMethodSpec(method);
  if (spec.cf === 'required' && !cf) throw new Error(`suiteRecExperiment: ${method} needs a CF backbone`);
  if (spec.cf === 'none' && cf) throw new Error(`suiteRecExperiment: ${method} takes no CF backbone (got ${cf})`);
  if (extra.config && !extra.tag) throw new Error('suiteRecExperiment: a run with its own settings needs a tag to name its folder');
  const options = runOptions(scale, method, extra.config?.options);
  const stage1RunDir = extra.config?.stage1RunDir ?? (plainStage1Dir(scale, method, cf, options, seed, opts)?.dir ?? null);
  return makeRecExperiment({
    dataset: b.dataset, method, seed, backend: opts.backend ?? 'auto', testRows: b.testRows, validRows: b.validRows, llmDir: b.llmDir,
    cf: cf ? { model: cf, runDir: storedPath(suiteRunDir(scale, suiteRunName(cf, null, seed), opts)) } : null,
    ...extra.config, options, stage1RunDir: stage1RunDir === null ? null : storedPath(projectPath(stage1RunDir)), train: { ...b.recTrain, ...extra.config?.train },
  });
}

/** Trains (or resumes, or reuses when finished) one LLM method at a scale, first its CF backbone and, when it starts from the plain suite run of a stage 1, that run. */
export async function suiteRec(scale: Scale, method: string, cf: CFKind | null, seed: number, opts: SuiteOptions & { readonly extra?: SuiteRecExtra } = {}): Promise<SuiteRun<RecRunResult>> {
  const extra = opts.extra ?? {};
  const exp = suiteRecExperiment(scale, method, cf, seed, extra, opts);
  if (exp.llmDir !== null && !fs.existsSync(path.join(projectPath(exp.llmDir), 'config.json'))) {
    throw new Error(`suiteRec: the LLM ${exp.llmDir} of ${scale} scale is missing${exp.llmDir === ML1M_TABLE.llmDir ? ' (the ML-1M table\'s LLM: make it with npm run ml1m-table-llm, about 3 h on one core)' : ''}`);
  }
  const dir = suiteRunDir(scale, suiteRunName(method, cf, seed, extra.tag), opts);
  const done = finished<RecRunResult>(dir, exp);
  if (done) checkSameLlm(done, resolveModelDir(exp.llmDir === null ? undefined : projectPath(exp.llmDir)), dir);
  if (done) {
    noteLogger(opts.onProgress)(`${method}${cf ? `-${cf}` : ''} seed ${seed}: reusing the finished run in ${storedPath(dir)}`);
    return { dir, result: done };
  }
  if (cf) await suiteCF(scale, cf, seed, opts);
  const plain = extra.config?.stage1RunDir === undefined ? plainStage1Dir(scale, method, cf, exp.options, seed, opts) : null;
  if (plain) await suiteRec(scale, plain.method, null, seed, { ...opts, extra: {} });
  const result = await runRecExperiment(exp, { outDir: dir, onProgress: opts.onProgress, ...(opts.dataset ? { datasetOverride: opts.dataset } : {}) });
  return { dir, result };
}
