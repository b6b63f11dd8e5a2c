// Seeded percentile-bootstrap confidence intervals: rows resampled with replacement for any metric, and
// users resampled as clusters for UAUC; resamples where the metric is undefined are skipped and counted.
// Reference: Efron & Tibshirani, "An Introduction to the Bootstrap" (1993), ch. 13 (percentile interval).

import { makeRng, type Rng } from '../core/rng';
import { argsortAscending, checkBinary, type NumArray } from './auc';
import { perUserAuc } from './uauc';

/** Resampling settings; only the seed is required. */
export interface BootstrapOptions {
  /** Seed for `makeRng`; equal seeds give equal intervals (required). */
  readonly seed: number;
  /** Number of resamples B; default 1000. */
  readonly nResamples?: number;
  /** Two-sided level: the interval is the [alpha/2, 1 - alpha/2] percentile range; default 0.05. */
  readonly alpha?: number;
}

/** Defaults for the optional fields of `BootstrapOptions`. */
export const BOOTSTRAP_DEFAULTS = { nResamples: 1000, alpha: 0.05 } as const;

/** A percentile-bootstrap interval. */
export interface BootstrapResult {
  /** The metric on the original data. */
  readonly estimate: number;
  /** alpha/2 percentile of the resampled metric (numpy's default linear interpolation). */
  readonly lo: number;
  /** 1 - alpha/2 percentile of the resampled metric. */
  readonly hi: number;
  /** [nResamples - nSkipped] the metric on each defined resample, in draw order. */
  readonly samples: Float64Array;
  /** The alpha used. */
  readonly alpha: number;
  /** Resamples where the metric was undefined (NaN, e.g. only one class drawn). */
  readonly nSkipped: number;
}

/**
 * The q-quantile (q in [0, 1]) of ascending-sorted values [n] with linear interpolation between order
 * statistics, as numpy.quantile's default method.
 */
export function quantileSorted(sorted: NumArray, q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted: q must be in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Values [n] gathered at row indices rows [r] into a new [r] float64 array. */
export function gather(values: NumArray, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

// Run the resampling loop: `draw` returns the metric on one resample (NaN = undefined, skipped).
function percentileInterval(
  estimate: number,
  opts: BootstrapOptions,
  draw: (rng: Rng) => number,
): BootstrapResult {
  const nResamples = opts.nResamples ?? BOOTSTRAP_DEFAULTS.nResamples;
  const alpha = opts.alpha ?? BOOTSTRAP_DEFAULTS.alpha;
  if (!Number.isInteger(nResamples) || nResamples < 1) {
    throw new Error(`bootstrap: nResamples must be a positive integer, got ${nResamples}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new Error(`bootstrap: alpha must be in (0, 1), got ${alpha}`);
  if (Number.isNaN(estimate)) throw new Error('bootstrap: the metric is undefined (NaN) on the original data');
  const rng = makeRng(opts.seed);
  const kept: number[] = [];
  for (let b = 0; b < nResamples; b++) {
    const value = draw(rng);
    if (!Number.isNaN(value)) kept.push(value);
  }
  if (kept.length === 0) throw new Error(`bootstrap: the metric was undefined on all ${nResamples} resamples`);
  const samples = Float64Array.from(kept);
  const sorted = Float64Array.from(kept).sort();
  return {
    estimate,
    lo: quantileSorted(sorted, alpha / 2),
    hi: quantileSorted(sorted, 1 - alpha / 2),
    samples,
    alpha,
    nSkipped: nResamples - kept.length,
  };
}

/**
 * Percentile-bootstrap CI of any row-level metric: `statistic(rows)` gets [nRows] uint32 row indices
 * (drawn with replacement; the identity for the estimate) and returns NaN where the metric is undefined.
 */
export function bootstrapCi(
  nRows: number,
  statistic: (rows: Uint32Array) => number,
  opts: BootstrapOptions,
): BootstrapResult {
  if (!Number.isInteger(nRows) || nRows < 1) throw new Error(`bootstrapCi: nRows must be a positive integer, got ${nRows}`);
  const identity = new Uint32Array(nRows);
  for (let i = 0; i < nRows; i++) identity[i] = i;
  return percentileInterval(statistic(identity), opts, (rng) => {
    const rows = new Uint32Array(nRows);
    for (let i = 0; i < nRows; i++) rows[i] = rng.int(nRows);
    return statistic(rows);
  });
}

/**
 * Row-bootstrap CI of ROC AUC for labels [n] in {0, 1} and scores [n], O(n) per resample after one sort;
 * resamples that draw a single class are skipped and counted in `nSkipped`.
 */
export function bootstrapAuc(labels: NumArray, scores: NumArray, opts: BootstrapOptions): BootstrapResult {
  checkBinary('bootstrapAuc', labels, scores);
  const n = labels.length;
  const order = argsortAscending(scores); // sorted once; a resample only changes each row's multiplicity
  const counts = new Uint32Array(n);
  const weightedAuc = (): number => {
    let nNeg = 0;
    let nPos = 0;
    let u = 0;
    let i = 0;
    while (i < n) {
      const s = scores[order[i]!]!;
      let p = 0;
      let q = 0;
      for (; i < n && scores[order[i]!]! === s; i++) {
        const row = order[i]!;
        if (labels[row] === 1) p += counts[row]!;
        else q += counts[row]!;
      }
      u += p * (nNeg + q / 2);
      nNeg += q;
      nPos += p;
    }
    return nPos === 0 || nNeg === 0 ? NaN : u / (nPos * nNeg);
  };
  counts.fill(1);
  const estimate = weightedAuc();
  return percentileInterval(estimate, opts, (rng) => {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(n)]!++;
    return weightedAuc();
  });
}

/**
 * User-level (cluster) bootstrap CI of UAUC for users [n], labels [n] in {0, 1} and scores [n]: all
 * distinct users are drawn with replacement (a user drawn twice counts twice) and each keeps its own
 * per-user AUC; users that `uauc` skips add nothing, and resamples with no counted user are skipped.
 */
export function bootstrapUauc(
  users: NumArray,
  labels: NumArray,
  scores: NumArray,
  opts: BootstrapOptions,
): BootstrapResult {
  const { aucs } = perUserAuc(users, labels, scores);
  const meanOf = (pick: (i: number) => number): number => {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < aucs.length; i++) {
      const a = aucs[pick(i)]!;
      if (Number.isNaN(a)) continue;
      sum += a;
      count++;
    }
    return count === 0 ? NaN : sum / count;
  };
  return percentileInterval(meanOf((i) => i), opts, (rng) => meanOf(() => rng.int(aucs.length)));
}
