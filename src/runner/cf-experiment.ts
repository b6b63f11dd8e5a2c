// One CF experiment end to end: load data, build the model, train with valid-AUC early stopping,
// checkpoint every epoch (resumable after a kill), evaluate the best parameters on valid and test
// (overall, warm, cold) and write result.json with config, seed and provenance (commit, code, dataset
// hashes at start; wall time over resumed processes). A finished run is returned, not trained again.
// Reference: CoLLM baseline_train_*_ood.py protocol; docs/methods.md §3, §7.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../backend/backend';
import { readJson, writeJsonAtomic } from '../core/io';
import { disposeAdamState, initAdamState, type AdamState } from '../core/optim';
import { projectRoot, shownPath } from '../core/paths';
import { emitProgress, noteLogger, type ProgressCallback } from '../core/progress';
import { makeRng } from '../core/rng';
import { finishedResult, PROVENANCE_FILE, startRun, type RunMeta } from '../core/run-meta';
import { cleanUpAfterHeapFailure, withHeapContext } from '../backend/heap';
import { FRESH_LOOP, runEpochLoop, type LoopResult, type LoopState } from '../core/train';
import { loadCFCheckpoint, saveCFCheckpoint } from '../cf/checkpoint';
import { CF_TRAIN_PRESETS, cfSpec } from '../cf/registry';
import { makeCFTrainConfig, scoreSplit, trainEpoch, type CFTrainConfig } from '../cf/train';
import type { CFCommonConfig, CFKind, CFModel } from '../cf/types';
import { datasetContentOf, datasetFiles } from '../data/dataset-files';
import { loadDataset, type DatasetName } from '../data/load';
import type { Dataset } from '../data/types';
import { auc } from '../metrics/auc';
import { evaluateSplit, type EvalBlock } from './evaluate';

/** A CF experiment, JSON-serialisable; saved next to its results. */
export interface CFExperimentConfig {
  /** Dataset name (see loadDataset); default 'synthetic'. */
  readonly dataset: DatasetName;
  /** Data folder override; null = default resolution (CFLLM_DATA_DIR, data/, ../shared/data). */
  readonly dataDir: string | null;
  /** Which CF model (see CF_KINDS); default 'mf'. */
  readonly model: CFKind;
  /** Model hyper-parameters over the model's defaults (e.g. { dEmb: 128 }). */
  readonly modelOptions: Readonly<Record<string, unknown>>;
  /** Training settings over the model's preset (CF_TRAIN_PRESETS) and CF_TRAIN_DEFAULTS. */
  readonly train: Readonly<Partial<CFTrainConfig>>;
  /** Seed for initialisation, shuffling and dropout; default 0. */
  readonly seed: number;
  /** Compute backend; default 'auto' (tfjs-node, else wasm, else cpu). */
  readonly backend: BackendChoice;
}

/** Defaults of a CF experiment. */
export const CF_EXPERIMENT_DEFAULTS: CFExperimentConfig = Object.freeze({
  dataset: 'synthetic', dataDir: null, model: 'mf', modelOptions: {}, train: {}, seed: 0, backend: 'auto',
});

/** What runCFExperiment writes to result.json. */
export interface CFRunResult {
  /** Always "cf-run". */
  readonly kind: 'cf-run';
  /** Model name (same as config.model). */
  readonly model: CFKind;
  /** Seed (same as config.seed). */
  readonly seed: number;
  /** The experiment as given. */
  readonly config: CFExperimentConfig;
  /** The resolved model and training configs that actually ran. */
  readonly resolved: { readonly model: CFCommonConfig; readonly train: CFTrainConfig };
  /** Provenance: backend, versions, git commit / dirty / code hash at start, dataset hash, wall time over all processes. */
  readonly meta: RunMeta;
  /** Dataset name and sizes. */
  readonly data: { readonly name: string; readonly nUsers: number; readonly nItems: number; readonly rows: Readonly<Record<string, number>> };
  /** Training history and why it stopped. */
  readonly training: Omit<LoopResult, 'history'> & { readonly history: LoopResult['history']; readonly epochsRun: number };
  /** Metrics of the best-valid parameters on valid. */
  readonly valid: EvalBlock;
  /** Metrics of the best-valid parameters on test. */
  readonly test: EvalBlock;
}

/** Options of a run that are not part of the experiment (where to write, how to report). */
export interface CFRunOptions {
  /** Folder for config.json, checkpoints, scores.json and result.json. */
  readonly outDir: string;
  /**
   * Default true: return the result of a finished run in outDir (result.json) as it is, else continue
   * from its last checkpoint. false (the CLIs' --fresh): train from scratch, replacing what is there.
   */
  readonly resume?: boolean;
  /** Progress events (one per epoch, plus start/finish); default none. */
  readonly onProgress?: ProgressCallback;
  /** Use this already-loaded dataset instead of loading config.dataset (e.g. a synthetic world built in a notebook); default none. */
  readonly datasetOverride?: Dataset;
}

/** Merge a partial experiment over the defaults and check it. */
export function makeCFExperiment(options: Readonly<Partial<CFExperimentConfig>>): CFExperimentConfig {
  const cfg = { ...CF_EXPERIMENT_DEFAULTS, ...options };
  for (const k of Object.keys(options)) {
    if (!(k in CF_EXPERIMENT_DEFAULTS)) throw new Error(`CFExperimentConfig: unknown field "${k}"; known: ${Object.keys(CF_EXPERIMENT_DEFAULTS).join(', ')}`);
  }
  cfSpec(cfg.model);
  if (!Number.isInteger(cfg.seed)) throw new Error(`CFExperimentConfig: seed must be an integer, got ${cfg.seed}`);
  return Object.freeze(cfg);
}

/** The rng of one epoch: a function of (seed, epoch) only, so a resumed run replays the same order. */
function epochRng(seed: number, epoch: number) {
  return makeRng((seed * 1000003 + epoch * 7919 + 17) | 0);
}

/** Whether two experiment configs are equal as stored (a JSON round trip of each, compared as text). */
export function sameExperiment(a: unknown, b: unknown): boolean {
  return JSON.stringify(JSON.parse(JSON.stringify(a))) === JSON.stringify(JSON.parse(JSON.stringify(b)));
}

/**
 * Train and evaluate one CF model; returns the result of a finished run of the same experiment in
 * outDir unchanged, and resumes from outDir when a checkpoint of the same experiment is there.
 */
export async function runCFExperiment(experiment: CFExperimentConfig, opts: CFRunOptions): Promise<CFRunResult> {
  const log = noteLogger(opts.onProgress);
  const resume = opts.resume !== false;
  const configFile = path.join(opts.outDir, 'config.json');
  if (resume && fs.existsSync(configFile) && !sameExperiment(readJson<{ experiment: unknown }>(configFile).experiment, experiment)) {
    throw new Error(`${configFile}: holds a different experiment; use another run folder, or start this one over (train-cf --fresh; library: resume: false)`);
  }
  const done = resume ? finishedResult<CFRunResult>(opts.outDir) : null;
  if (done) {
    if (!sameExperiment(done.config, experiment)) throw new Error(`${path.join(opts.outDir, 'result.json')}: holds a different experiment; use another run folder, or start this one over (train-cf --fresh; library: resume: false)`);
    log(`${experiment.model} seed ${experiment.seed}: already finished in ${shownPath(opts.outDir)}; returning its result.json unchanged (start fresh to train again)`);
    return done;
  }
  if (!resume) for (const f of ['result.json', 'scores.json', PROVENANCE_FILE]) fs.rmSync(path.join(opts.outDir, f), { force: true });
  const backend = await initBackend(experiment.backend);
  const run = startRun({
    seed: experiment.seed, backend, projectRoot: projectRoot(), runDir: opts.outDir, resume,
    dataset: opts.datasetOverride ? datasetContentOf(opts.datasetOverride) : datasetFiles(experiment.dataset, { dataDir: experiment.dataDir ?? undefined }),
  });
  const dataset = opts.datasetOverride ?? loadDataset(experiment.dataset, { dataDir: experiment.dataDir ?? undefined });
  const spec = cfSpec(experiment.model);
  const modelCfg = spec.makeConfig(experiment.modelOptions as Partial<CFCommonConfig>, { nUsers: dataset.nUsers, nItems: dataset.nItems });
  const trainCfg = makeCFTrainConfig({ ...CF_TRAIN_PRESETS[experiment.model], ...experiment.train });
  const { train, valid, test } = dataset.splits;

  fs.mkdirSync(opts.outDir, { recursive: true });
  const stateFile = path.join(opts.outDir, 'state.json');
  const lastFile = path.join(opts.outDir, 'last.safetensors');
  const bestFile = path.join(opts.outDir, 'best.safetensors');
  const saved = { experiment, model: modelCfg, train: trainCfg };
  if (fs.existsSync(configFile) && opts.resume !== false) {
    const prev = readJson<typeof saved>(configFile);
    if (JSON.stringify(prev) !== JSON.stringify(JSON.parse(JSON.stringify(saved)))) {
      throw new Error(`${configFile}: holds a different experiment; use another run folder, or start this one over (train-cf --fresh; library: resume: false)`);
    }
  }
  writeJsonAtomic(configFile, saved);

  const model: CFModel = withHeapContext({ what: 'creating the CF model', model: `${experiment.model}, dEmb ${modelCfg.dEmb}, ${dataset.nUsers} users, ${dataset.nItems} items` },
    () => spec.init(modelCfg, makeRng(experiment.seed), train, dataset.items));
  const adam: AdamState = initAdamState(model.params);
  let from: LoopState = FRESH_LOOP;
  try {
    if (opts.resume !== false && fs.existsSync(stateFile) && fs.existsSync(lastFile)) {
      const st = readJson<LoopState & { adamStep: number }>(stateFile);
      loadCFCheckpoint(lastFile, model, adam);
      from = { ...st, bestValid: st.bestValid ?? -Infinity };
      log(`resuming ${experiment.model} seed ${experiment.seed} at epoch ${from.nextEpoch} (best valid AUC ${from.bestValid.toFixed(4)} at epoch ${from.bestEpoch})`);
    } else {
      log(`training ${experiment.model} on ${dataset.name} (${train.label.length} train rows), seed ${experiment.seed}, backend ${backend.name}`);
    }
    const result = await runEpochLoop({ maxEpochs: trainCfg.maxEpochs, patience: trainCfg.patience, lr: trainCfg.lr }, {
      trainEpoch: (epoch) => {
        spec.startEpoch?.(model, epoch);
        return trainEpoch(spec, model, train, trainCfg, adam, epochRng(experiment.seed, epoch));
      },
      validate: async () => auc(valid.label, await scoreSplit(spec, model, valid, trainCfg.evalBatchSize)),
      onBest: async () => saveCFCheckpoint(bestFile, model, null),
      onEpochEnd: async (state, rec) => {
        saveCFCheckpoint(lastFile, model, adam);
        writeJsonAtomic(stateFile, { ...state, adamStep: adam.step });
        run.checkpoint();
        emitProgress(opts.onProgress, { kind: 'epoch', loop: 'cf', run: experiment.model, seed: experiment.seed, epoch: rec.epoch, trainLoss: rec.trainLoss, validAuc: rec.valid,
          improved: rec.improved, seconds: rec.seconds, best: { validAuc: state.bestValid, epoch: state.bestEpoch, badEpochs: state.badEpochs, patience: trainCfg.patience } });
      },
    }, from);
    if (result.stoppedBy === 'nonFiniteLoss') log(`stopped: ${result.message}`);
    if (result.bestEpoch < 0) throw new Error(`${experiment.model} seed ${experiment.seed}: no epoch finished with a finite loss (${result.message})`);

    loadCFCheckpoint(bestFile, model, null);
    const validScores = await scoreSplit(spec, model, valid, trainCfg.evalBatchSize);
    const testScores = await scoreSplit(spec, model, test, trainCfg.evalBatchSize);
    writeJsonAtomic(path.join(opts.outDir, 'scores.json'), {
      note: 'logits of the best-valid parameters, in split row order; rowId = CoLLM idx',
      valid: { rowId: Array.from(valid.rowId), logit: Array.from(validScores) },
      test: { rowId: Array.from(test.rowId), logit: Array.from(testScores) },
    });
    const out: CFRunResult = {
      kind: 'cf-run',
      model: experiment.model,
      seed: experiment.seed,
      config: experiment,
      resolved: { model: modelCfg, train: trainCfg },
      meta: run.finish(),
      data: { name: dataset.name, nUsers: dataset.nUsers, nItems: dataset.nItems, rows: { train: train.label.length, valid: valid.label.length, test: test.label.length } },
      training: { ...result, epochsRun: result.history.length },
      valid: evaluateSplit(dataset, 'valid', validScores),
      test: evaluateSplit(dataset, 'test', testScores),
    };
    writeJsonAtomic(path.join(opts.outDir, 'result.json'), out);
    log(`${experiment.model} seed ${experiment.seed}: best epoch ${result.bestEpoch}; test AUC ${fmt(out.test.auc)} UAUC ${fmt(out.test.uauc)} (${out.test.uaucUsers} users); ${out.meta.wallSeconds.toFixed(0)} s`);
    return out;
  } finally {
    cleanUpAfterHeapFailure(() => {
      disposeAdamState(adam);
      tf.dispose([...Object.values(model.params), ...Object.values(model.buffers)]);
    });
  }
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(4);
}
