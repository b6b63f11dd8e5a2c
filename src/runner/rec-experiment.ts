// One LLM-recommender experiment end to end (base LLM, TALLRec, CoLLM or CoRA): load data, LLM and
// tokenizer, get the CF backbone (a finished CF run folder, or trained here), get the TALLRec stage for
// CoLLM, train the method with the shared loop, score valid and test, and write results with metrics
// overall and on warm/cold rows (three definitions), bootstrap CIs, users counted, and per-row scores.
// Reference: docs/methods.md §4-7.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../backend/backend';
import { loadParams } from '../core/checkpoint';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectPath, projectRoot, resolveModelDir } from '../core/paths';
import { noteLogger, type ProgressCallback } from '../core/progress';
import { makeRng } from '../core/rng';
import { startRun, type RunMeta } from '../core/run-meta';
import { loadCFCheckpoint } from '../cf/checkpoint';
import { cfSpec } from '../cf/registry';
import type { CFCommonConfig, CFKind, CFModel, CFSpec } from '../cf/types';
import { collmMethod, type CollmVariant } from '../collm/method';
import { CORA_DEFAULTS, coraMethod, type CoraOptions } from '../cora/method';
import { loadDataset, type DatasetName } from '../data/load';
import { sampleSplit } from '../data/subset';
import type { Dataset, InteractionSplit } from '../data/types';
import { initLora, type Lora, type LowRankConfig } from '../llm/adapters';
import { loadHfModel } from '../llm/hf-load';
import { loadTokenizer } from '../llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../llm/weights';
import { bootstrapAuc, bootstrapUauc } from '../metrics/bootstrap';
import { answerTokenId, encodePrompts } from '../rec/encode';
import { baseMethod, TALLREC_LORA, tallrecMethod, type RecMethod } from '../rec/method';
import { makeRecTrainConfig, scoreRows, trainRecMethod, type RecTrainConfig } from '../rec/train';
import { makeCFExperiment, runCFExperiment } from './cf-experiment';
import { evaluateSplit, type EvalBlock } from './evaluate';

/** The LLM recommender methods. */
export type RecMethodName = 'base' | 'tallrec' | 'collm' | 'cora';

/** One JSON-serialisable experiment. */
export interface RecExperimentConfig {
  /** Dataset by name (see DATASET_NAMES); default 'synthetic'. */
  readonly dataset: DatasetName;
  /** Folder holding <dataset>/; null = default resolution ($CFLLM_DATA_DIR, data/, ../shared/data). */
  readonly dataDir: string | null;
  /** Which LLM recommender to train; default 'tallrec'. */
  readonly method: RecMethodName;
  /** LLM folder (Hugging Face format); null = the shipped models/kit-lm. */
  readonly llmDir: string | null;
  /** CF backbone for CoLLM / CoRA: a finished CF run folder, or trained here when null. */
  readonly cf: { readonly model: CFKind; readonly runDir: string | null };
  /** TALLRec LoRA (also CoLLM's stage 1). */
  readonly lora: LowRankConfig;
  /** CoLLM: variant, and a finished TALLRec run folder to take stage 1 from (trained here when null). */
  readonly collm: { readonly variant: CollmVariant; readonly tallrecRunDir: string | null };
  /** CoRA settings. */
  readonly cora: Partial<CoraOptions>;
  /** Training loop settings (all methods). */
  readonly train: Partial<RecTrainConfig>;
  /** Evaluate on at most this many test rows (seeded sample); 0 = all (default). */
  readonly testRows: number;
  /** Evaluate on at most this many valid rows (seeded sample); 0 = all (default). */
  readonly validRows: number;
  /** Seed of everything random in the run (initialisation, batch draws, row samples); default 0. */
  readonly seed: number;
  /** Compute backend; default 'auto' (tfjs-node, else wasm, else cpu). */
  readonly backend: BackendChoice;
}

/** Defaults. */
export const REC_EXPERIMENT_DEFAULTS: RecExperimentConfig = Object.freeze<RecExperimentConfig>({
  dataset: 'synthetic', dataDir: null, method: 'tallrec', llmDir: null, cf: { model: 'mf', runDir: null }, lora: TALLREC_LORA,
  collm: { variant: 'stage2', tallrecRunDir: null }, cora: {}, train: {}, testRows: 0, validRows: 0, seed: 0, backend: 'auto',
});

/** Merges and checks an experiment config. */
export function makeRecExperiment(o: Partial<RecExperimentConfig>): RecExperimentConfig {
  for (const k of Object.keys(o)) if (!(k in REC_EXPERIMENT_DEFAULTS)) throw new Error(`RecExperimentConfig: unknown field "${k}"; known: ${Object.keys(REC_EXPERIMENT_DEFAULTS).join(', ')}`);
  const c = { ...REC_EXPERIMENT_DEFAULTS, ...o };
  if (!['base', 'tallrec', 'collm', 'cora'].includes(c.method)) throw new Error(`RecExperimentConfig.method: "${c.method}" is not one of base, tallrec, collm, cora`);
  cfSpec(c.cf.model);
  makeRecTrainConfig({ ...c.train, seed: c.seed });
  return Object.freeze(c);
}

/** Metrics with bootstrap CIs on one split. */
export interface RecEvalBlock extends EvalBlock {
  readonly aucCi: { lo: number; hi: number } | null;
  readonly uaucCi: { lo: number; hi: number } | null;
}

/** What a run writes to result.json. */
export interface RecRunResult {
  readonly kind: 'rec-run';
  readonly method: string;
  readonly cf: CFKind | null;
  readonly seed: number;
  readonly config: RecExperimentConfig;
  readonly resolvedTrain: RecTrainConfig | null;
  readonly llm: { readonly dir: string; readonly parameters: number };
  readonly trainableParameters: number;
  readonly training: unknown;
  readonly valid: RecEvalBlock;
  readonly test: RecEvalBlock;
  /** Samples per second when scoring test rows. */
  readonly scoringSamplesPerSecond: number;
  readonly meta: RunMeta;
}

/** Loads a finished CF run (config.json + best.safetensors of runCFExperiment) for a dataset. */
export function loadCFRun(dir: string, ds: Dataset): { spec: CFSpec<CFCommonConfig>; model: CFModel } {
  const cfgFile = path.join(dir, 'config.json'), best = path.join(dir, 'best.safetensors');
  if (!fs.existsSync(cfgFile) || !fs.existsSync(best)) throw new Error(`${dir}: not a finished CF run (needs config.json and best.safetensors)`);
  const saved = readJson<{ experiment: { model: CFKind }; model: CFCommonConfig }>(cfgFile);
  if (saved.model.nUsers !== ds.nUsers || saved.model.nItems !== ds.nItems) throw new Error(`${dir}: trained for ${saved.model.nUsers} users / ${saved.model.nItems} items, the dataset has ${ds.nUsers} / ${ds.nItems}`);
  const spec = cfSpec(saved.experiment.model);
  const model = spec.init(spec.makeConfig(saved.model, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  loadCFCheckpoint(best, model, null);
  return { spec, model };
}

function withCi(ds: Dataset, split: InteractionSplit, logits: Float32Array, seed: number): RecEvalBlock {
  const sub = { ...ds, splits: { ...ds.splits, test: split } };
  const block = evaluateSplit(sub, 'test', logits);
  const y = Array.from(split.label), s = Array.from(logits), u = Array.from(split.userIdx);
  const a = block.auc === null ? null : bootstrapAuc(y, s, { seed, nResamples: 500 });
  const b = block.uauc === null ? null : bootstrapUauc(u, y, s, { seed, nResamples: 500 });
  return { ...block, aucCi: a ? { lo: a.lo, hi: a.hi } : null, uaucCi: b ? { lo: b.lo, hi: b.hi } : null };
}

/** Options of a run that are not part of the experiment. */
export interface RecRunOptions {
  /** Run folder: config.json, checkpoints, scores.json, result.json. */
  readonly outDir: string;
  /** Continue a killed run from its last finished epoch; default true (false starts over). */
  readonly resume?: boolean;
  /** Progress events (training epochs, scoring); default none. */
  readonly onProgress?: ProgressCallback;
  /** Use this dataset instead of loading config.dataset. */
  readonly datasetOverride?: Dataset;
  /** Use this loaded LLM (and its folder's tokenizer) instead of loading config.llmDir. */
  readonly llmOverride?: { model: LlamaModel; dir: string };
}

/** Runs one experiment; see the file comment. */
export async function runRecExperiment(exp: RecExperimentConfig, opts: RecRunOptions): Promise<RecRunResult> {
  const log = noteLogger(opts.onProgress);
  const backend = await initBackend(exp.backend);
  const run = startRun(exp.seed, backend, projectRoot());
  fs.mkdirSync(opts.outDir, { recursive: true });
  const cfgFile = path.join(opts.outDir, 'config.json');
  if (fs.existsSync(cfgFile) && opts.resume !== false && JSON.stringify(readJson(cfgFile)) !== JSON.stringify(exp)) {
    throw new Error(`${cfgFile}: holds a different experiment; use another outDir or resume=false`);
  }
  writeJsonAtomic(cfgFile, exp);
  const ds = opts.datasetOverride ?? loadDataset(exp.dataset, { dataDir: exp.dataDir ?? undefined });
  const llmDir = opts.llmOverride?.dir ?? resolveModelDir(exp.llmDir === null ? undefined : projectPath(exp.llmDir));
  const llm = opts.llmOverride?.model ?? loadHfModel(llmDir);
  const tok = await loadTokenizer(llmDir);
  const yesId = answerTokenId(tok), padId = tok.eosId ?? 0;
  const trainCfg = makeRecTrainConfig({ ...exp.train, seed: exp.seed });
  const owned: (() => void)[] = [];
  try {
    let cf: { spec: CFSpec<CFCommonConfig>; model: CFModel } | null = null;
    if (exp.method === 'collm' || exp.method === 'cora') {
      let cfDir = exp.cf.runDir === null ? null : projectPath(exp.cf.runDir);
      if (!cfDir) {
        cfDir = path.join(opts.outDir, 'cf');
        log(`training the CF backbone (${exp.cf.model}) in ${cfDir}`);
        await runCFExperiment(makeCFExperiment({ dataset: exp.dataset, dataDir: exp.dataDir, model: exp.cf.model, seed: exp.seed, backend: exp.backend }),
          { outDir: cfDir, resume: opts.resume !== false, onProgress: (l) => { if (/best epoch|training/.test(l)) log(l); }, ...(opts.datasetOverride ? { datasetOverride: ds } : {}) });
      }
      cf = loadCFRun(cfDir, ds);
      const m = cf.model;
      owned.push(() => tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]));
    }
    const enc = (kind: 'tallrec' | 'collm', split: InteractionSplit) => encodePrompts(kind, ds, split, tok);
    const validSplit = sampleSplit(ds.splits.validSmall ?? ds.splits.valid, exp.validRows, exp.seed + 1);
    const testSplit = sampleSplit(ds.splits.test, exp.testRows, exp.seed + 2);
    let method: RecMethod;
    let training: unknown = null;
    const trainStage = async (m: RecMethod, dir: string) => {
      log(`${m.name}: encoding prompts`);
      const tr = { split: ds.splits.train, enc: enc(m.promptKind, ds.splits.train) };
      const va = { split: validSplit, enc: enc(m.promptKind, validSplit) };
      return trainRecMethod({ method: m, train: tr, valid: va, padId, config: trainCfg, outDir: dir, resume: opts.resume !== false, onProgress: opts.onProgress });
    };
    if (exp.method === 'base') method = baseMethod(llm, yesId);
    else if (exp.method === 'tallrec') {
      method = tallrecMethod(llm, yesId, { config: exp.lora, seed: exp.seed });
      training = await trainStage(method, path.join(opts.outDir, 'train'));
    } else if (exp.method === 'collm') {
      const lora: Lora = initLora(llm, exp.lora, exp.seed);
      owned.push(() => tf.dispose(Object.values(lora.params)));
      if (exp.collm.variant !== 'T3') {
        const dir = exp.collm.tallrecRunDir ?? path.join(opts.outDir, 'stage1');
        if (!exp.collm.tallrecRunDir) {
          const t = tallrecMethod(llm, yesId, { lora, promptKind: 'collm' });
          await trainStage(t, dir);
        } else loadParams(path.join(projectPath(exp.collm.tallrecRunDir), 'train', 'best.safetensors'), lora.params, null);
      }
      method = collmMethod(llm, yesId, cf!, { variant: exp.collm.variant, lora, seed: exp.seed });
      training = await trainStage(method, path.join(opts.outDir, 'train'));
    } else {
      method = coraMethod(llm, yesId, cf!, { ...CORA_DEFAULTS, ...exp.cora, seed: exp.seed });
      training = await trainStage(method, path.join(opts.outDir, 'train'));
    }
    owned.push(() => method.dispose());
    log(`${method.name}: scoring ${validSplit.label.length} valid and ${testSplit.label.length} test rows`);
    const validScores = await scoreRows(method, enc(method.promptKind, validSplit), validSplit, padId, trainCfg.evalBatchSize);
    const encTest = enc(method.promptKind, testSplit);
    const t0 = performance.now();
    const testScores = await scoreRows(method, encTest, testSplit, padId, trainCfg.evalBatchSize);
    const sps = testSplit.label.length / ((performance.now() - t0) / 1000);
    writeJsonAtomic(path.join(opts.outDir, 'scores.json'), {
      note: 'raw "Yes" logits in split row order; rowId = the dataset\'s combined row id',
      valid: { rowId: Array.from(validSplit.rowId), logit: Array.from(validScores) },
      test: { rowId: Array.from(testSplit.rowId), logit: Array.from(testScores) },
    });
    const llmParams = [llm.weights.embed, llm.weights.finalNorm, ...(llm.weights.lmHead ? [llm.weights.lmHead] : []), ...llm.weights.layers.flatMap((l) => [l.inputNorm, l.q, l.k, l.v, l.o, l.postNorm, l.gate, l.up, l.down])].reduce((a, t) => a + t.size, 0);
    const out: RecRunResult = {
      kind: 'rec-run', method: method.name, cf: cf ? exp.cf.model : null, seed: exp.seed, config: exp,
      resolvedTrain: exp.method === 'base' ? null : trainCfg,
      llm: { dir: path.relative(projectRoot(), llmDir) || llmDir, parameters: llmParams },
      trainableParameters: Object.values(method.params).reduce((a, v) => a + v.size, 0),
      training, valid: withCi(ds, validSplit, validScores, exp.seed), test: withCi(ds, testSplit, testScores, exp.seed),
      scoringSamplesPerSecond: sps, meta: run.finish(),
    };
    writeJsonAtomic(path.join(opts.outDir, 'result.json'), out);
    log(`${method.name}${cf ? '-' + exp.cf.model : ''} seed ${exp.seed}: test AUC ${out.test.auc?.toFixed(4)} UAUC ${out.test.uauc?.toFixed(4)} (${out.test.uaucUsers} users); ${out.meta.wallSeconds.toFixed(0)} s`);
    return out;
  } finally {
    for (const f of owned.reverse()) f();
    if (!opts.llmOverride) disposeLlama(llm);
  }
}
