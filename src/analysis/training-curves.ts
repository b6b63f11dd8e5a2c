// Per-epoch training curves of LLM-recommender run folders as plain records: mean train loss and
// validation AUC per epoch, from result.json's `training` (finished runs) or train/state.json (a run
// still training or killed), for tables and line figures.
// Reference: src/rec/train.ts (what a training stage stores); src/core/train.ts (LoopState).
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from '../core/io';
import type { EpochRecord } from '../core/train';

/** One epoch of one run (a type alias, not an interface, so that it fits recordsToSeries' record type). */
export type TrainingCurveRow = {
  /** The name the caller gave the run (e.g. "TALLRec"). */
  readonly run: string;
  /** 0-based epoch. */
  readonly epoch: number;
  /** Mean BCE over the epoch's iterations. */
  readonly trainLoss: number;
  /** Validation AUC after the epoch. */
  readonly validAuc: number;
  /** Whether the epoch became the best so far (its parameters were checkpointed). */
  readonly improved: boolean;
  /** Train + validation wall time of the epoch, seconds. */
  readonly seconds: number;
};

function historyOf(value: unknown, where: string): readonly EpochRecord[] {
  const h = (value as { history?: unknown } | null)?.history;
  if (!Array.isArray(h)) throw new Error(`${where}: no per-epoch history (not a trained LLM-recommender run?)`);
  return h as EpochRecord[];
}

/** The epoch history of a run folder: result.json's training when finished, else train/state.json. */
export function runTrainingHistory(runDir: string): readonly EpochRecord[] {
  const result = path.join(runDir, 'result.json'), state = path.join(runDir, 'train', 'state.json');
  if (fs.existsSync(result)) return historyOf(readJson<{ training: unknown }>(result).training, result);
  if (fs.existsSync(state)) return historyOf(readJson(state), state);
  throw new Error(`${runDir}: neither result.json nor train/state.json (no training has finished an epoch)`);
}

/** Curve rows of several run folders, runs in the given order, epochs ascending. */
export function trainingCurveRows(runs: readonly { readonly name: string; readonly dir: string }[]): TrainingCurveRow[] {
  return runs.flatMap(({ name, dir }) => runTrainingHistory(dir).map((e) => ({
    run: name, epoch: e.epoch, trainLoss: e.trainLoss, validAuc: e.valid, improved: e.improved, seconds: e.seconds,
  })));
}
