// User-clustered paired bootstrap for the difference between two runs scored on the same rows: users
// are drawn with replacement, each drawn user brings all its rows with both runs' scores, and the
// differences of AUC and UAUC are recomputed per resample; percentile CI plus a centred two-sided p.
// Reference: Field & Welsh, "Bootstrapping clustered data" (JRSS-B, 2007); Hall & Wilson, "Two guidelines for bootstrap hypothesis testing" (Biometrics, 1991).

import { makeRng } from '../core/rng';
import { argsortAscending, checkBinary, type NumArray } from './auc';
import { quantileSorted } from './bootstrap';
import { perUserAuc } from './uauc';

/** Settings of `pairedUserBootstrap`; only the seed is required. */
export interface PairedBootstrapOptions {
  /** Seed for `makeRng`; equal seeds and inputs give equal results (required). */
  readonly seed: number;
  /** Number of user resamples B; default 1000. */
  readonly nResamples?: number;
  /** Two-sided level of the percentile interval [alpha/2, 1 - alpha/2]; default 0.05. */
  readonly alpha?: number;
}

/** Defaults of the optional fields of `PairedBootstrapOptions`. */
export const PAIRED_BOOTSTRAP_DEFAULTS = { nResamples: 1000, alpha: 0.05 } as const;

/** One metric's paired difference A - B with its user-bootstrap interval and p-value. */
export interface PairedDiff {
  /** metric(A) - metric(B) on the given rows. */
  readonly diff: number;
  /** Percentile interval [alpha/2, 1 - alpha/2] of the resampled differences (numpy's linear quantiles). */
  readonly ci: readonly [number, number];
  /**
   * Two-sided p-value of "no difference": the resampled differences are centred on the estimate
   * (d*_b - d approximates the null distribution of d) and p = (1 + #{|d*_b - d| >= |d|}) / (1 + B'),
   * B' = resamples where the difference is defined; 1 when d = 0.
   */
  readonly pUserBootstrap: number;
  /** Resamples drawn (B). */
  readonly nResamples: number;
  /** Resamples where the metric was undefined (one class drawn; no user counted for UAUC): left out. */
  readonly nSkipped: number;
  /** Distinct users among the rows (the clusters drawn). */
  readonly nUsers: number;
  /** The alpha used. */
  readonly alpha: number;
  /** [B - nSkipped] resampled differences, in draw order. */
  readonly samples: Float64Array;
}

/** Result of `pairedUserBootstrap`: AUC and UAUC differences from the same user draws. */
export interface PairedBootstrapResult {
  /** Difference of ROC AUC over all rows. */
  readonly auc: PairedDiff;
  /** Difference of UAUC (CoLLM's uAUC_me: unweighted mean of per-user AUCs over users with both classes); null when no user counts. */
  readonly uauc: PairedDiff | null;
}

/**
 * Throws unless two runs' row ids [nA] and [nB] are the same rows in the same order; the message names
 * the first position where they differ (or the two lengths).
 */
export function checkAlignedRows(rowIdsA: NumArray, rowIdsB: NumArray, what = 'runs A and B'): void {
  if (rowIdsA.length !== rowIdsB.length) {
    throw new Error(`${what} scored different rows: ${rowIdsA.length} vs ${rowIdsB.length} rows; a paired comparison needs the same rows`);
  }
  for (let i = 0; i < rowIdsA.length; i++) {
    if (rowIdsA[i] !== rowIdsB[i]) {
      throw new Error(`${what} are not row-aligned: position ${i} holds row id ${rowIdsA[i]} vs ${rowIdsB[i]}; a paired comparison needs the same rows in the same order`);
    }
  }
}

// One run's rows in ascending score order: each row's cluster and label, and where each group of tied scores ends.
interface SortedRun { cluster: Uint32Array; positive: Uint8Array; tieEnd: Uint32Array }

function sortRun(labels: NumArray, scores: NumArray, clusterOf: Uint32Array): SortedRun {
  const order = argsortAscending(scores);
  const n = order.length;
  const cluster = new Uint32Array(n);
  const positive = new Uint8Array(n);
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    cluster[i] = clusterOf[row]!;
    positive[i] = labels[row] === 1 ? 1 : 0;
    if (i + 1 === n || scores[order[i + 1]!]! !== scores[row]!) ends.push(i + 1);
  }
  return { cluster, positive, tieEnd: Uint32Array.from(ends) };
}

// AUC with every row of cluster k counted mult[k] times (ties 1/2); NaN when one class has no weight.
function weightedAuc(r: SortedRun, mult: Float64Array): number {
  let nNeg = 0;
  let nPos = 0;
  let u = 0;
  let i = 0;
  for (let g = 0; g < r.tieEnd.length; g++) {
    const end = r.tieEnd[g]!;
    let p = 0;
    let q = 0;
    for (; i < end; i++) {
      const w = mult[r.cluster[i]!]!;
      if (r.positive[i]) p += w;
      else q += w;
    }
    u += p * (nNeg + q / 2);
    nNeg += q;
    nPos += p;
  }
  return nPos === 0 || nNeg === 0 ? NaN : u / (nPos * nNeg);
}

function summarize(estimate: number, kept: number[], nResamples: number, nUsers: number, alpha: number): PairedDiff {
  if (kept.length === 0) throw new Error(`pairedUserBootstrap: the difference was undefined on all ${nResamples} resamples`);
  const samples = Float64Array.from(kept);
  const sorted = Float64Array.from(kept).sort();
  let extreme = 0;
  const d = Math.abs(estimate);
  for (const s of kept) if (Math.abs(s - estimate) >= d) extreme++;
  return {
    diff: estimate,
    ci: [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)],
    pUserBootstrap: estimate === 0 ? 1 : (1 + extreme) / (1 + kept.length),
    nResamples,
    nSkipped: nResamples - kept.length,
    nUsers,
    alpha,
    samples,
  };
}

/**
 * User-clustered paired bootstrap of AUC(A) - AUC(B) and UAUC(A) - UAUC(B) for users [n] (finite ids),
 * labels [n] in {0, 1} and two runs' finite scores [n] on the same rows: each resample draws nUsers
 * users with replacement (a user drawn k times counts k times, rows and per-user AUC alike).
 */
export function pairedUserBootstrap(
  users: NumArray,
  labels: NumArray,
  scoresA: NumArray,
  scoresB: NumArray,
  opts: PairedBootstrapOptions,
): PairedBootstrapResult {
  const { nPos, nNeg } = checkBinary('pairedUserBootstrap', labels, scoresA);
  checkBinary('pairedUserBootstrap', labels, scoresB);
  if (users.length !== labels.length) {
    throw new Error(`pairedUserBootstrap: users and labels differ in length (${users.length} vs ${labels.length})`);
  }
  if (nPos === 0 || nNeg === 0) throw new Error(`pairedUserBootstrap: only one class among the ${labels.length} rows; AUC is undefined`);
  const nResamples = opts.nResamples ?? PAIRED_BOOTSTRAP_DEFAULTS.nResamples;
  const alpha = opts.alpha ?? PAIRED_BOOTSTRAP_DEFAULTS.alpha;
  if (!Number.isInteger(nResamples) || nResamples < 1) throw new Error(`pairedUserBootstrap: nResamples must be a positive integer, got ${nResamples}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`pairedUserBootstrap: alpha must be in (0, 1), got ${alpha}`);

  const perA = perUserAuc(users, labels, scoresA);
  const perB = perUserAuc(users, labels, scoresB);
  const nUsers = perA.users.length;
  // row -> cluster index (users ascending, as perUserAuc orders them)
  const clusterOf = new Uint32Array(users.length);
  const index = new Map<number, number>();
  perA.users.forEach((u, k) => index.set(u, k));
  for (let i = 0; i < users.length; i++) clusterOf[i] = index.get(users[i]!)!;
  // per-user UAUC difference; a user counts in both runs or in neither (counting depends on labels only)
  const userDiff = new Float64Array(nUsers);
  const counted = new Uint8Array(nUsers);
  let uaucSum = 0;
  let uaucCount = 0;
  for (let k = 0; k < nUsers; k++) {
    if (Number.isNaN(perA.aucs[k]!)) continue;
    counted[k] = 1;
    userDiff[k] = perA.aucs[k]! - perB.aucs[k]!;
    uaucSum += userDiff[k]!;
    uaucCount++;
  }
  const runA = sortRun(labels, scoresA, clusterOf);
  const runB = sortRun(labels, scoresB, clusterOf);
  const mult = new Float64Array(nUsers).fill(1);
  const aucDiff = weightedAuc(runA, mult) - weightedAuc(runB, mult);
  const uaucDiff = uaucCount === 0 ? NaN : uaucSum / uaucCount;

  const rng = makeRng(opts.seed);
  const keptAuc: number[] = [];
  const keptUauc: number[] = [];
  for (let b = 0; b < nResamples; b++) {
    mult.fill(0);
    let s = 0;
    let c = 0;
    for (let j = 0; j < nUsers; j++) {
      const k = rng.int(nUsers);
      mult[k]!++;
      if (counted[k]) {
        s += userDiff[k]!;
        c++;
      }
    }
    const d = weightedAuc(runA, mult) - weightedAuc(runB, mult);
    if (!Number.isNaN(d)) keptAuc.push(d);
    if (c > 0) keptUauc.push(s / c);
  }
  return {
    auc: summarize(aucDiff, keptAuc, nResamples, nUsers, alpha),
    uauc: Number.isNaN(uaucDiff) ? null : summarize(uaucDiff, keptUauc, nResamples, nUsers, alpha),
  };
}
