// Comparing finished LLM-recommender runs: one summary record per run (test AUC/UAUC with bootstrap CIs,
// trainable parameters, scoring throughput, wall time) and DeLong's test between two run folders on the
// test rows both scored (scores.json), with labels from the dataset's split.
// Reference: docs/methods.md §7; DeLong et al. 1988.
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from '../core/io';
import type { InteractionSplit } from '../data/types';
import { delongTest, type DelongResult } from '../metrics/delong';
import type { RecRunResult } from '../runner/rec-experiment';

/** One run's headline numbers. */
export interface RecSummaryRow {
  readonly run: string;
  readonly testAuc: number | null;
  /** 95% bootstrap interval of the test AUC. */
  readonly aucLo: number | null;
  readonly aucHi: number | null;
  readonly testUauc: number | null;
  readonly uaucLo: number | null;
  readonly uaucHi: number | null;
  /** Users with both labels among the scored test rows (UAUC's denominator). */
  readonly uaucUsers: number;
  /** Test rows scored. */
  readonly testRows: number;
  readonly trainableParameters: number;
  /** Test-set scoring throughput, rows per second. */
  readonly scoringSamplesPerSecond: number;
  /** Whole run (training and scoring), seconds. */
  readonly wallSeconds: number;
}

/** Summary rows of named run results, in the given order. */
export function recSummaryRows(runs: readonly { readonly name: string; readonly result: RecRunResult }[]): RecSummaryRow[] {
  return runs.map(({ name, result: r }) => ({
    run: name, testAuc: r.test.auc, aucLo: r.test.aucCi?.lo ?? null, aucHi: r.test.aucCi?.hi ?? null,
    testUauc: r.test.uauc, uaucLo: r.test.uaucCi?.lo ?? null, uaucHi: r.test.uaucCi?.hi ?? null, uaucUsers: r.test.uaucUsers,
    testRows: r.test.n, trainableParameters: r.trainableParameters, scoringSamplesPerSecond: r.scoringSamplesPerSecond, wallSeconds: r.meta.wallSeconds,
  }));
}

/** A run folder's scores.json block for one split. */
export function runScores(runDir: string, split: 'valid' | 'test' = 'test'): { rowId: number[]; logit: number[] } {
  const f = path.join(runDir, 'scores.json');
  if (!fs.existsSync(f)) throw new Error(`${f}: not found (the run has not finished scoring)`);
  const block = readJson<Record<string, { rowId: number[]; logit: number[] } | undefined>>(f)[split];
  if (!block || block.rowId.length !== block.logit.length) throw new Error(`${f}: no well-formed "${split}" block`);
  return block;
}

/**
 * DeLong's test of AUC(run A) = AUC(run B) on the `split` rows both runs scored, labels looked up by
 * row id in `labelsFrom` (the dataset's split of that name). Throws when the runs scored different rows.
 */
export function delongBetweenRuns(dirA: string, dirB: string, labelsFrom: InteractionSplit, split: 'valid' | 'test' = 'test'): DelongResult & { readonly rows: number } {
  const a = runScores(dirA, split), b = runScores(dirB, split);
  if (a.rowId.length !== b.rowId.length || a.rowId.some((id, i) => id !== b.rowId[i])) {
    throw new Error(`delongBetweenRuns: ${dirA} and ${dirB} scored different ${split} rows (${a.rowId.length} vs ${b.rowId.length}); DeLong needs the same rows`);
  }
  const labelOf = new Map<number, number>();
  labelsFrom.rowId.forEach((id, i) => labelOf.set(id, labelsFrom.label[i]!));
  const labels = a.rowId.map((id) => {
    const y = labelOf.get(id);
    if (y === undefined) throw new Error(`delongBetweenRuns: row id ${id} of ${dirA} is not in the given ${labelsFrom.name} split`);
    return y;
  });
  return { ...delongTest(labels, a.logit, b.logit), rows: labels.length };
}
