// The head-to-head behind familyWinners, made paired: for each set of rows, the winning family's best
// method against the runner-up's on the very rows both scored, with the user-clustered paired-bootstrap
// CI of the AUC difference and its p-value, and the row-level DeLong p. Two methods scored on the same
// rows are strongly correlated, so overlapping marginal CIs say little; the paired difference is the test.
// Reference: docs/methods.md §7; src/analysis/run-comparison.ts (compareRuns).
import type { Dataset } from '../data/types';
import { comparisonRows, compareRuns, type RunComparison } from './run-comparison';
import { runScores } from './run-compare';
import type { FamilyWinnerRow, WarmColdRun } from './warm-cold-report';

/** A familyWinners row with the paired test of winner against runner-up (nulls without a runner-up). */
export type PairedFamilyWinnerRow = FamilyWinnerRow & {
  /** Rows of this subset the test used (every run scored them). */
  readonly pairedRows: number | null;
  /** AUC(winner) - AUC(runner-up) on those rows. */
  readonly diff: number | null;
  /** 95% user-bootstrap interval of the difference. */
  readonly diffLo: number | null;
  readonly diffHi: number | null;
  /** Two-sided user-clustered paired-bootstrap p. */
  readonly pUserBootstrap: number | null;
  /** Two-sided row-level DeLong p. */
  readonly pDeLong: number | null;
};

/** How pairedFamilyWinners resamples. */
export interface PairedFamilyOptions {
  /** Bootstrap seed (required: the same resamples for every comparison). */
  readonly seed: number;
  /** User-bootstrap resamples (default PAIRED_BOOTSTRAP_DEFAULTS.nResamples). */
  readonly nResamples?: number;
}

/**
 * familyWinners rows (of a warmColdReport over `runs`) with the paired AUC test of each winner against
 * its runner-up, on the test rows every run scored (the report's rows). Method names must match the runs' names.
 */
export function pairedFamilyWinners(dataset: Dataset, runs: readonly WarmColdRun[], winners: readonly FamilyWinnerRow[], opts: PairedFamilyOptions): PairedFamilyWinnerRow[] {
  const dirOf = new Map(runs.map((r) => [r.name, r.dir]));
  const scores = new Map<string, { rowId: number[]; logit: number[] }>();
  const scoresOf = (method: string) => {
    const dir = dirOf.get(method);
    if (dir === undefined) throw new Error(`pairedFamilyWinners: no run named "${method}" (runs: ${[...dirOf.keys()].join(', ')})`);
    if (!scores.has(method)) scores.set(method, runScores(dir, 'test'));
    return scores.get(method)!;
  };
  // the rows every run scored, as warmColdReport's records use by default
  let common: Set<number> | null = null;
  for (const r of runs) {
    const ids = scoresOf(r.name).rowId;
    common = common === null ? new Set(ids) : new Set(ids.filter((id) => common!.has(id)));
  }
  return winners.map((w) => {
    const none = { pairedRows: null, diff: null, diffLo: null, diffHi: null, pUserBootstrap: null, pDeLong: null };
    if (w.runnerUpMethod === null) return { ...w, ...none };
    const a = scoresOf(w.winnerMethod), b = scoresOf(w.runnerUpMethod);
    const restrict = (name: string, s: { rowId: number[]; logit: number[] }) => {
      const keep = s.rowId.map((_id, i) => i).filter((i) => common!.has(s.rowId[i]!));
      return { name, rowId: keep.map((i) => s.rowId[i]!), logit: keep.map((i) => s.logit[i]!) };
    };
    const rows = comparisonRows(dataset, 'test', w.definition === 'all' ? 'cora' : w.definition);
    const cmp: RunComparison | undefined = compareRuns(restrict(w.winnerMethod, a), restrict(w.runnerUpMethod, b), rows,
      { seed: opts.seed, ...(opts.nResamples !== undefined ? { nResamples: opts.nResamples } : {}), subsets: [w.subset] }).find((c) => c.metric === 'auc');
    if (!cmp) return { ...w, ...none };
    return { ...w, pairedRows: cmp.rows, diff: cmp.diff, diffLo: cmp.ci?.[0] ?? null, diffHi: cmp.ci?.[1] ?? null, pUserBootstrap: cmp.pUserBootstrap, pDeLong: cmp.pDeLong };
  });
}

const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const fp = (p: number | null) => (p === null ? ' n/a' : p < 0.001 ? ' < 0.001' : ` = ${p.toFixed(3)}`);

/** One sentence per row, e.g. "cora / cold (n = 80): text+CF (CoRA-MF, AUC 0.640) over CF (MF, 0.610): +0.030 [-0.01, 0.07], p = 0.14 (user bootstrap), DeLong p = 0.09". */
export function describePairedFamilyWinners(rows: readonly PairedFamilyWinnerRow[]): string[] {
  return rows.map((r) => {
    const where = r.definition === 'all' ? 'all test rows' : `${r.definition} / ${r.subset}`;
    const win = `${r.winner} (${r.winnerMethod}, AUC ${f3(r.winnerAuc)})`;
    if (r.runnerUp === null) return `${where} (n = ${r.n}): ${win}, the only family with an AUC`;
    const d = r.diff === null ? 'difference undefined' : `${r.diff >= 0 ? '+' : ''}${r.diff.toFixed(3)} [${f3(r.diffLo)}, ${f3(r.diffHi)}]`;
    const sig = r.pUserBootstrap !== null && r.pUserBootstrap < 0.05 ? 'significant' : 'not significant';
    return `${where} (n = ${r.n}, ${r.pairedRows ?? 0} paired): ${win} over ${r.runnerUp} (${r.runnerUpMethod}, ${f3(r.runnerUpAuc)}): ${d}, p${fp(r.pUserBootstrap)} (user bootstrap, ${sig} at 0.05), DeLong p${fp(r.pDeLong)}`;
  });
}
