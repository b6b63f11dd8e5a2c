// Warm vs cold comparison of finished run folders (CF and LLM runs alike): test AUC and UAUC with
// percentile-bootstrap CIs from each run's per-row scores (scores.json), overall and on the warm and
// cold rows under each warm-cold definition, on the test rows every run scored; and, per subset, which
// family of methods (e.g. CF only, text only, text + CF) scores best.
// Reference: docs/methods.md §1 (warm/cold definitions), §7 (metrics, bootstrap CIs).
import type { Dataset } from '../data/types';
import { WARM_COLD_DEFINITIONS, warmColdMasks, type WarmColdDefinition } from '../data/warm-cold';
import { auc } from '../metrics/auc';
import { bootstrapAuc, bootstrapUauc, type BootstrapResult } from '../metrics/bootstrap';
import { uauc } from '../metrics/uauc';
import { runScores } from './run-compare';

/** A finished run folder to report on. */
export interface WarmColdRun {
  /** Name shown in tables and legends (e.g. "CoRA-MF"). */
  readonly name: string;
  /** Run folder holding scores.json (runCFExperiment or runRecExperiment). */
  readonly dir: string;
  /** Family the method belongs to (e.g. "CF", "text", "text+CF"); default the name. */
  readonly family?: string;
}

/** One method on one set of test rows (a type alias so that it fits recordsToSeries' record type). */
export type WarmColdRecord = {
  readonly method: string;
  readonly family: string;
  /** Warm-cold definition, or "all" for the overall row. */
  readonly definition: WarmColdDefinition | 'all';
  readonly subset: 'all' | 'warm' | 'cold';
  /** "all" or "<definition> <subset>" (e.g. "cora cold"): one key for a figure's x axis. */
  readonly slice: string;
  /** Rows in the subset. */
  readonly n: number;
  readonly positives: number;
  /** ROC AUC; null when the subset has a single class. */
  readonly auc: number | null;
  /** Bootstrap CI of the AUC (rows resampled); null when undefined. */
  readonly lo: number | null;
  readonly hi: number | null;
  /** Mean per-user AUC; null when no user has both classes. */
  readonly uauc: number | null;
  /** Bootstrap CI of the UAUC (users resampled). */
  readonly uaucLo: number | null;
  readonly uaucHi: number | null;
  /** Users counted in UAUC. */
  readonly users: number;
};

/** How warmColdReport resamples and which rows it uses. */
export interface WarmColdReportOptions {
  /** Bootstrap seed (the same resamples for every method; required). */
  readonly seed: number;
  /** Bootstrap resamples (default 1000). */
  readonly nResamples?: number;
  /** Definitions to report (default all three). */
  readonly definitions?: readonly WarmColdDefinition[];
  /** Evaluate every run on the test rows all runs scored (default true; LLM runs may score a sample). */
  readonly commonRows?: boolean;
}

/** The interval of a bootstrap, or nulls when every resample was undefined (a handful of rows). */
function interval(run: () => BootstrapResult): { lo: number | null; hi: number | null } {
  try {
    const r = run();
    return { lo: r.lo, hi: r.hi };
  } catch (e) {
    if (/undefined on all/.test(String(e))) return { lo: null, hi: null };
    throw e;
  }
}

/** Metrics with CIs of logits [n] on the rows (indices into labels / users) selected. */
function subsetMetrics(labels: ArrayLike<number>, users: ArrayLike<number>, logits: ArrayLike<number>, rows: readonly number[], opts: WarmColdReportOptions) {
  const y = rows.map((k) => labels[k]!), u = rows.map((k) => users[k]!), s = rows.map((k) => logits[k]!);
  const positives = y.reduce((a, b) => a + b, 0);
  const bo = { seed: opts.seed, nResamples: opts.nResamples ?? 1000 };
  const hasAuc = positives > 0 && positives < y.length;
  const aCi = hasAuc ? interval(() => bootstrapAuc(y, s, bo)) : { lo: null, hi: null };
  const ua = y.length > 0 ? uauc(u, y, s) : null;
  const hasUauc = ua !== null && ua.nUsers > 0;
  const uCi = hasUauc ? interval(() => bootstrapUauc(u, y, s, bo)) : { lo: null, hi: null };
  return {
    n: y.length, positives, auc: hasAuc ? auc(y, s) : null, lo: aCi.lo, hi: aCi.hi,
    uauc: hasUauc ? ua.uauc : null, uaucLo: uCi.lo, uaucHi: uCi.hi, users: ua ? ua.nUsers : 0,
  };
}

/**
 * Test AUC / UAUC with bootstrap CIs of each run, overall (definition "all") and on the warm and the
 * cold test rows of each definition; runs in the given order, then definitions, then warm before cold.
 * Scores are matched to the dataset's test split by row id.
 */
export function warmColdReport(dataset: Dataset, runs: readonly WarmColdRun[], opts: WarmColdReportOptions): WarmColdRecord[] {
  if (runs.length === 0) throw new Error('warmColdReport: no runs');
  const test = dataset.splits.test;
  const indexOf = new Map<number, number>();
  test.rowId.forEach((id, k) => indexOf.set(id, k));
  // per run: logit per test row index (NaN where the run did not score the row)
  const logits = runs.map((r) => {
    const sc = runScores(r.dir, 'test');
    const out = new Float64Array(test.label.length).fill(NaN);
    sc.rowId.forEach((id, i) => {
      const k = indexOf.get(id);
      if (k === undefined) throw new Error(`warmColdReport: ${r.dir} scored test row id ${id}, which ${dataset.name}'s test split does not have`);
      out[k] = sc.logit[i]!;
    });
    return out;
  });
  const scored = (run: number, k: number) => (opts.commonRows === false ? !Number.isNaN(logits[run]![k]!) : logits.every((l) => !Number.isNaN(l[k]!)));
  const definitions = opts.definitions ?? WARM_COLD_DEFINITIONS;
  const masks = definitions.map((d) => ({ d, m: warmColdMasks(dataset, test, d) }));
  const out: WarmColdRecord[] = [];
  runs.forEach((r, i) => {
    const rows = [...Array(test.label.length).keys()].filter((k) => scored(i, k));
    if (rows.length === 0) throw new Error(`warmColdReport: no test rows to evaluate for ${r.name}${opts.commonRows === false ? '' : ' (no row scored by every run)'}`);
    const head = { method: r.name, family: r.family ?? r.name };
    out.push({ ...head, definition: 'all', subset: 'all', slice: 'all', ...subsetMetrics(test.label, test.userIdx, logits[i]!, rows, opts) });
    for (const { d, m } of masks) {
      for (const subset of ['warm', 'cold'] as const) {
        const sel = rows.filter((k) => m[subset][k] === 1);
        out.push({ ...head, definition: d, subset, slice: `${d} ${subset}`, ...subsetMetrics(test.label, test.userIdx, logits[i]!, sel, opts) });
      }
    }
  });
  return out;
}

/** Per set of rows, the best-scoring family and the next best (a type alias for the table helpers). */
export type FamilyWinnerRow = {
  readonly definition: WarmColdDefinition | 'all';
  readonly subset: 'all' | 'warm' | 'cold';
  readonly n: number;
  /** Family with the highest AUC, and its best method, AUC and CI. */
  readonly winner: string;
  readonly winnerMethod: string;
  readonly winnerAuc: number;
  readonly winnerLo: number | null;
  readonly winnerHi: number | null;
  /** The best of the other families (null with a single family). */
  readonly runnerUp: string | null;
  readonly runnerUpMethod: string | null;
  readonly runnerUpAuc: number | null;
  readonly runnerUpLo: number | null;
  readonly runnerUpHi: number | null;
  /** Whether the two CIs are disjoint (winner's lower end above the runner-up's upper end). */
  readonly separated: boolean;
};

/**
 * For each (definition, subset) of a report, the family whose best method has the highest AUC, among
 * `families` when given (e.g. ["text", "CF"] for a head-to-head); subsets without any AUC are left out.
 */
export function familyWinners(records: readonly WarmColdRecord[], families?: readonly string[]): FamilyWinnerRow[] {
  const keys = [...new Set(records.map((r) => `${r.definition}|${r.subset}`))];
  const out: FamilyWinnerRow[] = [];
  for (const key of keys) {
    const rs = records.filter((r) => `${r.definition}|${r.subset}` === key && r.auc !== null && (!families || families.includes(r.family)));
    const bestOf = new Map<string, WarmColdRecord>();
    for (const r of rs) if (!bestOf.has(r.family) || r.auc! > bestOf.get(r.family)!.auc!) bestOf.set(r.family, r);
    const ranked = [...bestOf.values()].sort((a, b) => b.auc! - a.auc!);
    const w = ranked[0], u = ranked[1];
    if (!w) continue;
    out.push({
      definition: w.definition, subset: w.subset, n: w.n,
      winner: w.family, winnerMethod: w.method, winnerAuc: w.auc!, winnerLo: w.lo, winnerHi: w.hi,
      runnerUp: u?.family ?? null, runnerUpMethod: u?.method ?? null, runnerUpAuc: u?.auc ?? null, runnerUpLo: u?.lo ?? null, runnerUpHi: u?.hi ?? null,
      separated: !!u && w.lo !== null && u.hi !== null && w.lo > u.hi,
    });
  }
  return out;
}

const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/** One sentence per familyWinners row, e.g. "cora / cold (n = 80): text+CF (CoRA-MF, AUC 0.640 [0.58, 0.70]) over CF (MF, 0.610 [...]); CIs overlap". */
export function describeFamilyWinners(rows: readonly FamilyWinnerRow[]): string[] {
  return rows.map((r) => {
    const where = r.definition === 'all' ? 'all test rows' : `${r.definition} / ${r.subset}`;
    const win = `${r.winner} (${r.winnerMethod}, AUC ${f3(r.winnerAuc)} [${f3(r.winnerLo)}, ${f3(r.winnerHi)}])`;
    if (r.runnerUp === null) return `${where} (n = ${r.n}): ${win}, the only family with an AUC`;
    const next = `${r.runnerUp} (${r.runnerUpMethod}, ${f3(r.runnerUpAuc)} [${f3(r.runnerUpLo)}, ${f3(r.runnerUpHi)}])`;
    return `${where} (n = ${r.n}): ${win} over ${next}; ${r.separated ? 'CIs disjoint' : 'CIs overlap'}`;
  });
}
