// DeLong's test for the difference of two correlated ROC AUCs measured on the same rows, with the
// O(n log n) midrank algorithm, plus erf/erfc and the standard-normal CDF for its two-sided p-value.
// Row-level: it treats every row as independent; rows clustered by user (recommendation test sets)
// make it overconfident, so comparisons also report pairedUserBootstrap (paired-bootstrap.ts).
// Reference: DeLong, DeLong & Clarke-Pearson (Biometrics, 1988); Sun & Xu, "Fast implementation of DeLong's algorithm" (IEEE SPL, 2014).

import { argsortAscending, checkBinary, type NumArray } from './auc';

/** Result of `delongTest`; `diff = aucA - aucB`, `z = diff / sqrt(variance)`. */
export interface DelongResult {
  /** ROC AUC of scoresA. */
  readonly aucA: number;
  /** ROC AUC of scoresB. */
  readonly aucB: number;
  /** aucA - aucB. */
  readonly diff: number;
  /** Standardized difference; 0 when diff and variance are both 0 (identical scores), ±Infinity when only the variance is. */
  readonly z: number;
  /** Two-sided p-value 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2). */
  readonly pValue: number;
  /** DeLong variance of aucA - aucB: var A + var B - 2 cov(A, B). */
  readonly variance: number;
}

// Coefficients c0..c9 of erfc(z) ~ t exp(-z^2 + sum c_i t^i), t = 1 / (1 + z/2), z >= 0.
const ERFC_COEFFS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
];

/**
 * Complementary error function erfc(x) for any finite x, with fractional error below 1.2e-7 everywhere
 * (Chebyshev fit of Press et al., Numerical Recipes §6.2), so tail p-values keep their relative accuracy.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let i = ERFC_COEFFS.length - 1; i >= 0; i--) poly = poly * t + ERFC_COEFFS[i]!;
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** Error function erf(x) = 1 - erfc(x), absolute error below about 1.2e-7. */
export function erf(x: number): number {
  return 1 - erfc(x);
}

/** Standard-normal CDF Phi(z) = erfc(-z / sqrt 2) / 2, relative error below about 1.2e-7 in both tails. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Midranks (1-based ranks, ties get the mean of their ranks, as scipy.stats.rankdata) of values [n]
 * as [n] float64.
 */
export function midranks(values: NumArray): Float64Array {
  const order = argsortAscending(values);
  const ranks = new Float64Array(values.length);
  let i = 0;
  while (i < order.length) {
    const v = values[order[i]!]!;
    let j = i;
    while (j < order.length && values[order[j]!]! === v) j++;
    const mid = (i + 1 + j) / 2; // mean of ranks i+1 .. j
    for (let r = i; r < j; r++) ranks[order[r]!] = mid;
    i = j;
  }
  return ranks;
}

// Structural components of one score vector: v10 [m] per positive and v01 [n] per negative.
function components(
  posScores: Float64Array,
  negScores: Float64Array,
): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = posScores.length;
  const n = negScores.length;
  const all = new Float64Array(m + n);
  all.set(posScores, 0);
  all.set(negScores, m);
  const tz = midranks(all);
  const tx = midranks(posScores);
  const ty = midranks(negScores);
  const v10 = new Float64Array(m); // share of negatives each positive beats (ties 1/2)
  const v01 = new Float64Array(n); // share of positives that beat each negative
  let rankSum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (tz[i]! - tx[i]!) / n;
    rankSum += tz[i]!;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (tz[m + j]! - ty[j]!) / m;
  return { auc: (rankSum - (m * (m + 1)) / 2) / (m * n), v10, v01 };
}

// Sample covariance (ddof = 1) of two equal-length vectors.
function cov(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < k; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= k;
  mb /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (k - 1);
}

/**
 * Row-level DeLong test (rows assumed independent) of AUC(scoresA) = AUC(scoresB) for labels [n] in
 * {0, 1} and two finite score vectors [n] on the same rows; needs at least 2 positives and 2 negatives, and gives z = 0, p = 1 for identical scores.
 */
export function delongTest(labels: NumArray, scoresA: NumArray, scoresB: NumArray): DelongResult {
  const { nPos, nNeg } = checkBinary('delongTest', labels, scoresA);
  checkBinary('delongTest', labels, scoresB);
  if (nPos < 2 || nNeg < 2) {
    throw new Error(`delongTest: needs at least 2 positives and 2 negatives, got ${nPos} and ${nNeg}`);
  }
  const split = (scores: NumArray): [Float64Array, Float64Array] => {
    const pos = new Float64Array(nPos);
    const neg = new Float64Array(nNeg);
    let p = 0;
    let q = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 1) pos[p++] = scores[i]!;
      else neg[q++] = scores[i]!;
    }
    return [pos, neg];
  };
  const a = components(...split(scoresA));
  const b = components(...split(scoresB));
  const s10 = cov(a.v10, a.v10) + cov(b.v10, b.v10) - 2 * cov(a.v10, b.v10);
  const s01 = cov(a.v01, a.v01) + cov(b.v01, b.v01) - 2 * cov(a.v01, b.v01);
  const variance = Math.max(s10 / nPos + s01 / nNeg, 0);
  const diff = a.auc - b.auc;
  let z: number;
  if (variance > 0) z = diff / Math.sqrt(variance);
  else z = diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity; // degenerate: identical rankings
  const pValue = z === 0 ? 1 : Number.isFinite(z) ? Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) : 0;
  return { aucA: a.auc, aucB: b.auc, diff, z, pValue, variance };
}
