// Comparison records between two runs scored on the same rows: for AUC and UAUC, on all, warm and
// cold rows, the difference A - B with a user-clustered paired-bootstrap CI and p-value, and the
// row-level DeLong p (AUC only). These are the `comparisons` entries of the results JSON.
// Reference: docs/methods.md §7 (metrics); DeLong et al. 1988; Field & Welsh, "Bootstrapping clustered data" (2007).
import type { Dataset, SplitName } from '../data/types';
import { warmColdMasks, type WarmColdDefinition } from '../data/warm-cold';
import { delongTest } from '../metrics/delong';
import { pairedUserBootstrap, PAIRED_BOOTSTRAP_DEFAULTS, type PairedDiff } from '../metrics/paired-bootstrap';
import { runScores } from './run-compare';

/** Which rows a comparison covers. */
export type CompareSubset = 'all' | 'warm' | 'cold';

/** Metrics a comparison reports. */
export type CompareMetric = 'auc' | 'uauc';

/** The rows both runs are judged on: one split's row ids, users, labels and warm/cold masks, in split order. */
export interface ComparisonRows {
  /** [n] row ids (CoLLM idx), unique. */
  readonly rowId: ArrayLike<number>;
  /** [n] user index of each row (the bootstrap's clusters). */
  readonly userIdx: ArrayLike<number>;
  /** [n] label in {0, 1}. */
  readonly label: ArrayLike<number>;
  /** [n] 1 = warm row. */
  readonly warm: Uint8Array;
  /** [n] 1 = cold row. */
  readonly cold: Uint8Array;
  /** Warm/cold definition the masks follow. */
  readonly warmCold: WarmColdDefinition;
}

/** One run's scores: logits by row id (any order, any subset of the comparison rows). */
export interface ScoredRun {
  /** Name written into the record (`a` / `b`). */
  readonly name: string;
  /** [m] row ids. */
  readonly rowId: ArrayLike<number>;
  /** [m] logits. */
  readonly logit: ArrayLike<number>;
}

/** One entry of a results file's `comparisons`: run A against run B on one metric and row subset. */
export interface RunComparison {
  readonly a: string;
  readonly b: string;
  readonly metric: CompareMetric;
  readonly subset: CompareSubset;
  /** Warm/cold definition of the subset. */
  readonly warmCold: WarmColdDefinition;
  /** metric(A) - metric(B) on the subset; null where the metric is undefined there. */
  readonly diff: number | null;
  /** 95% (1 - alpha) percentile interval of the user-bootstrap differences. */
  readonly ci: readonly [number, number] | null;
  /** Two-sided user-clustered paired-bootstrap p (centred resamples; see metrics/paired-bootstrap.ts). */
  readonly pUserBootstrap: number | null;
  /** Two-sided row-level DeLong p (rows assumed independent); AUC only, null for UAUC. */
  readonly pDeLong: number | null;
  /** Rows in the subset. */
  readonly rows: number;
  /** Distinct users in the subset (the clusters resampled). */
  readonly nUsers: number;
  /** Bootstrap resamples drawn. */
  readonly nResamples: number;
  /** Bootstrap seed. */
  readonly seed: number;
}

/** Options of `compareRuns`. */
export interface CompareOptions {
  /** Bootstrap seed (default 0). */
  readonly seed?: number;
  /** Bootstrap resamples (default 1000). */
  readonly nResamples?: number;
  /** Interval level alpha (default 0.05). */
  readonly alpha?: number;
  /** Subsets to report (default all, warm, cold). */
  readonly subsets?: readonly CompareSubset[];
}

/** The comparison rows of one dataset split, warm/cold by `definition` (default `cora`: not_cold). */
export function comparisonRows(dataset: Dataset, split: SplitName = 'test', definition: WarmColdDefinition = 'cora'): ComparisonRows {
  const sp = dataset.splits[split];
  if (!sp) throw new Error(`comparisonRows: dataset ${dataset.name} has no split "${split}"`);
  const { warm, cold } = warmColdMasks(dataset, sp, definition);
  return { rowId: sp.rowId, userIdx: sp.userIdx, label: sp.label, warm, cold, warmCold: definition };
}

function byRowId(run: ScoredRun): Map<number, number> {
  if (run.rowId.length !== run.logit.length) throw new Error(`compareRuns: run ${run.name} has ${run.rowId.length} row ids and ${run.logit.length} logits`);
  const m = new Map<number, number>();
  for (let i = 0; i < run.rowId.length; i++) {
    if (m.has(run.rowId[i]!)) throw new Error(`compareRuns: run ${run.name} scored row id ${run.rowId[i]} twice`);
    m.set(run.rowId[i]!, run.logit[i]!);
  }
  return m;
}

/**
 * Records A vs B for AUC and UAUC on each subset, over the rows both runs scored (which must be the
 * same set, all of them in `rows`; throws naming the difference otherwise). The bootstrap draws users.
 */
export function compareRuns(a: ScoredRun, b: ScoredRun, rows: ComparisonRows, opts: CompareOptions = {}): RunComparison[] {
  const ma = byRowId(a), mb = byRowId(b);
  const onlyA = [...ma.keys()].filter((id) => !mb.has(id));
  const onlyB = [...mb.keys()].filter((id) => !ma.has(id));
  if (onlyA.length || onlyB.length) {
    throw new Error(`compareRuns: ${a.name} and ${b.name} scored different rows (${ma.size} vs ${mb.size}; ${onlyA.length} only in ${a.name}` +
      `${onlyA.length ? `, e.g. row id ${onlyA[0]}` : ''}; ${onlyB.length} only in ${b.name}${onlyB.length ? `, e.g. row id ${onlyB[0]}` : ''}); a paired comparison needs the same rows`);
  }
  const known = new Set<number>(Array.from(rows.rowId));
  const stray = [...ma.keys()].find((id) => !known.has(id));
  if (stray !== undefined) throw new Error(`compareRuns: row id ${stray} scored by ${a.name} is not among the ${rows.rowId.length} comparison rows (wrong split or dataset?)`);

  const seed = opts.seed ?? 0;
  const nResamples = opts.nResamples ?? PAIRED_BOOTSTRAP_DEFAULTS.nResamples;
  const out: RunComparison[] = [];
  for (const subset of opts.subsets ?? (['all', 'warm', 'cold'] as const)) {
    const u: number[] = [], y: number[] = [], sa: number[] = [], sb: number[] = [];
    for (let i = 0; i < rows.rowId.length; i++) {
      const id = rows.rowId[i]!;
      if (!ma.has(id)) continue;
      if (subset === 'warm' && !rows.warm[i]) continue;
      if (subset === 'cold' && !rows.cold[i]) continue;
      u.push(rows.userIdx[i]!);
      y.push(rows.label[i]!);
      sa.push(ma.get(id)!);
      sb.push(mb.get(id)!);
    }
    const nPos = y.reduce((s, v) => s + v, 0);
    const both = nPos > 0 && nPos < y.length;
    const boot = both ? pairedUserBootstrap(u, y, sa, sb, { seed, nResamples, ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}) }) : null;
    const pDeLong = nPos >= 2 && y.length - nPos >= 2 ? delongTest(y, sa, sb).pValue : null;
    const nUsers = new Set(u).size;
    const rec = (metric: CompareMetric, d: PairedDiff | null, p: number | null): RunComparison => ({
      a: a.name, b: b.name, metric, subset, warmCold: rows.warmCold,
      diff: d ? d.diff : null, ci: d ? d.ci : null, pUserBootstrap: d ? d.pUserBootstrap : null, pDeLong: p,
      rows: y.length, nUsers, nResamples, seed,
    });
    out.push(rec('auc', boot ? boot.auc : null, pDeLong), rec('uauc', boot ? boot.uauc : null, null));
  }
  return out;
}

/** `compareRuns` on two run folders' scores.json (`split` block) against that split of `dataset`. */
export function compareRunDirs(
  runA: { readonly name: string; readonly dir: string },
  runB: { readonly name: string; readonly dir: string },
  dataset: Dataset,
  opts: CompareOptions & { readonly split?: 'valid' | 'test'; readonly warmCold?: WarmColdDefinition } = {},
): RunComparison[] {
  const split = opts.split ?? 'test';
  const rows = comparisonRows(dataset, split, opts.warmCold ?? 'cora');
  return compareRuns({ name: runA.name, ...runScores(runA.dir, split) }, { name: runB.name, ...runScores(runB.dir, split) }, rows, opts);
}
