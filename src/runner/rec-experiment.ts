// One LLM-recommender experiment end to end, for any registered method: check every input before any
// work or file, open data and LLM, build and train the method through the shared path (src/runner/rec-run.ts),
// score valid and test, and write results: metrics overall and on warm/cold rows (three definitions),
// bootstrap CIs, users counted, per-row scores, the training history and full provenance.
// Reference: docs/methods.md §4-7.
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../backend/backend';
import { wasmHeapBytes } from '../backend/heap';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot, storedPath } from '../core/paths';
import { emitProgress, type ProgressCallback } from '../core/progress';
import { checkpointOnEpochs, startRun, type RunMeta } from '../core/run-meta';
import type { CFKind } from '../cf/types';
import { datasetContentOf } from '../data/dataset-files';
import type { Dataset, InteractionSplit } from '../data/types';
import type { LlamaModel } from '../llm/weights';
import { bootstrapAuc, bootstrapUauc } from '../metrics/bootstrap';
import type { RecTrainConfig, RecTrainResult } from '../rec/train';
import { runCFExperiment } from './cf-experiment';
import { evaluateSplit, type EvalBlock } from './evaluate';
import { type RecExperimentConfig } from './rec-config';
import { buildRecMethod, checkRecInputs, checkSameLlm, closeRecRun, openRecRun, scoreRecSplits } from './rec-run';


/** Metrics with bootstrap CIs on one split. */
export interface RecEvalBlock extends EvalBlock {
  /** 95% bootstrap interval of the AUC over rows (null when the AUC is undefined). */
  readonly aucCi: { lo: number; hi: number } | null;
  /** 95% bootstrap interval of the UAUC over users. */
  readonly uaucCi: { lo: number; hi: number } | null;
}

/** What a run writes to result.json. */
export interface RecRunResult {
  readonly kind: 'rec-run';
  /** The built method's name (e.g. "collm-T1"). */
  readonly method: string;
  /** The CF backbone kind, or null for text-only methods. */
  readonly cf: CFKind | null;
  readonly seed: number;
  /** The experiment as run (method options resolved in full, preset included). */
  readonly config: RecExperimentConfig;
  /** The resolved training config (null for methods that train nothing). */
  readonly resolvedTrain: RecTrainConfig | null;
  readonly llm: { readonly dir: string; readonly parameters: number };
  /** Parameters the method trained. */
  readonly trainableParameters: number;
  /** The method's training: per-epoch history, stop reason, steps and samples seen, warm-up (null when nothing trains). */
  readonly training: RecTrainResult | null;
  /** Stage 1 trained inside this run folder (e.g. CoLLM's TALLRec stage), else null. */
  readonly stage1Training: RecTrainResult | null;
  /** Optimiser steps and training rows of this run's own stages (stage 1 included when trained here). */
  readonly stepsTrained: number;
  readonly samplesSeen: number;
  readonly warmupSteps: number;
  readonly valid: RecEvalBlock;
  readonly test: RecEvalBlock;
  /** Samples per second when scoring test rows. */
  readonly scoringSamplesPerSecond: number;
  /** The wasm heap after scoring, in MiB: its peak over the run (it never shrinks); null on other backends. */
  readonly peakHeapMB: number | null;
  readonly meta: RunMeta;
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
  /** Run folder (config, checkpoints, scores, result). */
  readonly outDir: string;
  /** Resume from checkpoints and return a finished run's result (default true); false starts over. */
  readonly resume?: boolean;
  /** Progress lines and structured events. */
  readonly onProgress?: ProgressCallback;
  /** Use this dataset instead of loading config.dataset. */
  readonly datasetOverride?: Dataset;
  /** Use this loaded LLM (and its folder's tokenizer) instead of loading config.llmDir. */
  readonly llmOverride?: { model: LlamaModel; dir: string };
}

function heapMB(): number | null {
  const b = wasmHeapBytes();
  return b === null ? null : Math.round(b / 2 ** 20);
}

function llmParameterCount(llm: LlamaModel): number {
  const w = llm.weights;
  return [w.embed, w.finalNorm, ...(w.lmHead ? [w.lmHead] : []), ...w.layers.flatMap((l) => [l.inputNorm, l.q, l.k, l.v, l.o, l.postNorm, l.gate, l.up, l.down])].reduce((a, t) => a + t.size, 0);
}

/** Runs one experiment; see the file comment. A finished run of the same config is returned as it is unless resume is false. */
export async function runRecExperiment(exp: RecExperimentConfig, opts: RecRunOptions): Promise<RecRunResult> {
  const log = (text: string) => emitProgress(opts.onProgress, { kind: 'note', text });
  const resume = opts.resume !== false;
  const cfgFile = path.join(opts.outDir, 'config.json'), resultFile = path.join(opts.outDir, 'result.json');
  if (resume && fs.existsSync(cfgFile) && JSON.stringify(readJson(cfgFile)) !== JSON.stringify(exp)) {
    throw new Error(`${cfgFile}: holds a different experiment; use another run folder, or start this one over (train-rec --fresh; library: resume: false)`);
  }
  const inputs = checkRecInputs(exp);
  if (resume && fs.existsSync(resultFile)) {
    const done = readJson<RecRunResult>(resultFile);
    checkSameLlm(done, opts.llmOverride?.dir ?? inputs.llmDir, opts.outDir);
    log(`${storedPath(opts.outDir)}: already finished; returning its result (train-rec --fresh / resume: false runs it again)`);
    return done;
  }
  const backend = await initBackend(exp.backend);
  const opened = await openRecRun(exp, inputs, opts);
  let built: Awaited<ReturnType<typeof buildRecMethod>> | null = null;
  try {
    fs.mkdirSync(opts.outDir, { recursive: true });
    const run = startRun({ seed: exp.seed, backend, projectRoot: projectRoot(), runDir: opts.outDir, resume, dataset: datasetContentOf(opened.dataset), llmDir: opts.llmOverride?.dir ?? inputs.llmDir });
    writeJsonAtomic(cfgFile, exp);
    // every finished epoch also stores this process's wall time, so a killed run keeps it
    const onProgress = checkpointOnEpochs(run, opts.onProgress);
    built = await buildRecMethod(exp, inputs, opened, opts.outDir, { kind: 'train', resume, log, onProgress }, async (cfExp, dir) => {
      log(`training the CF backbone (${cfExp.model}) in ${storedPath(dir)}`);
      await runCFExperiment(cfExp, { outDir: dir, resume, onProgress: opts.onProgress, ...(opts.datasetOverride ? { datasetOverride: opened.dataset } : {}) });
    });
    const m = built.method;
    log(`${m.name}: scoring ${opened.validSplit.label.length} valid and ${opened.testSplit.label.length} test rows`);
    const scores = await scoreRecSplits(built, opened);
    writeJsonAtomic(path.join(opts.outDir, 'scores.json'), {
      note: 'raw "Yes" logits in split row order; rowId = the dataset\'s combined row id',
      valid: { rowId: Array.from(opened.validSplit.rowId), logit: Array.from(scores.valid) },
      test: { rowId: Array.from(opened.testSplit.rowId), logit: Array.from(scores.test) },
    });
    const stages = [built.stage1Training, built.training].filter((t): t is RecTrainResult => t !== null);
    const out: RecRunResult = {
      kind: 'rec-run', method: m.name, cf: exp.cf?.model ?? null, seed: exp.seed, config: exp,
      resolvedTrain: inputs.spec.trains ? opened.trainConfig : null,
      llm: { dir: storedPath(opts.llmOverride?.dir ?? inputs.llmDir), parameters: llmParameterCount(opened.llm) },
      trainableParameters: Object.values(m.params).reduce((a, v) => a + v.size, 0),
      training: built.training, stage1Training: built.stage1Training,
      stepsTrained: stages.reduce((a, t) => a + t.stepsTrained, 0), samplesSeen: stages.reduce((a, t) => a + t.samplesSeen, 0),
      warmupSteps: built.training?.warmupSteps ?? 0,
      valid: withCi(opened.dataset, opened.validSplit, scores.valid, exp.seed), test: withCi(opened.dataset, opened.testSplit, scores.test, exp.seed),
      scoringSamplesPerSecond: scores.testSamplesPerSecond, peakHeapMB: heapMB(), meta: run.finish(),
    };
    writeJsonAtomic(resultFile, out);
    log(`${m.name}${exp.cf ? '-' + exp.cf.model : ''} seed ${exp.seed}: test AUC ${out.test.auc?.toFixed(4)} UAUC ${out.test.uauc?.toFixed(4)} (${out.test.uaucUsers} users); ${out.meta.wallSeconds.toFixed(0)} s`);
    return out;
  } finally {
    built?.dispose();
    closeRecRun(opened);
  }
}
