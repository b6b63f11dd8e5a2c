// Tests for the seeded percentile bootstrap over rows and over users (clusters), including skipped
// resamples where the metric is undefined.
// Reference: Efron & Tibshirani, "An Introduction to the Bootstrap" (1993), ch. 13.

import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { auc } from '../../src/metrics/auc';
import { bootstrapAuc, bootstrapCi, bootstrapUauc, gather, quantileSorted } from '../../src/metrics/bootstrap';
import { uauc } from '../../src/metrics/uauc';

function randomProblem(seed: number, n: number): { labels: number[]; scores: number[] } {
  const rng = makeRng(seed);
  const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(2)));
  const scores = labels.map((y) => Math.round((rng.normal() + y) * 4) / 4);
  return { labels, scores };
}

describe('quantileSorted and gather', () => {
  it('interpolates linearly like numpy.quantile', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1 + 0.75 * (2 - 1));
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([5], 0.975)).toBe(5);
    expect(() => quantileSorted([], 0.5)).toThrow(/no values/);
  });

  it('gathers rows with repeats', () => {
    expect(Array.from(gather([10, 20, 30], Uint32Array.from([2, 0, 2])))).toEqual([30, 10, 30]);
  });
});

describe('bootstrapCi', () => {
  it('is deterministic under a seed and brackets the estimate', () => {
    const { labels, scores } = randomProblem(1, 200);
    const a = bootstrapAuc(labels, scores, { seed: 42, nResamples: 300 });
    const b = bootstrapAuc(labels, scores, { seed: 42, nResamples: 300 });
    const c = bootstrapAuc(labels, scores, { seed: 43, nResamples: 300 });
    expect(a.estimate).toBe(auc(labels, scores));
    expect(a).toEqual(b);
    expect(c.lo).not.toBe(a.lo);
    expect(a.lo).toBeLessThan(a.estimate);
    expect(a.hi).toBeGreaterThan(a.estimate);
    expect(a.alpha).toBe(0.05);
    expect(a.samples.length + a.nSkipped).toBe(300);
    const sorted = Float64Array.from(a.samples).sort();
    expect(a.lo).toBe(quantileSorted(sorted, 0.025));
    expect(a.hi).toBe(quantileSorted(sorted, 0.975));
  });

  it('bootstrapAuc (row multiplicities) equals bootstrapCi over gathered rows', () => {
    const { labels, scores } = randomProblem(4, 120);
    const fast = bootstrapAuc(labels, scores, { seed: 8, nResamples: 200 });
    const statistic = (rows: Uint32Array): number => {
      const y = gather(labels, rows);
      return y.includes(0) && y.includes(1) ? auc(y, gather(scores, rows)) : NaN;
    };
    const slow = bootstrapCi(labels.length, statistic, { seed: 8, nResamples: 200 });
    expect(fast.samples.length).toBe(slow.samples.length);
    fast.samples.forEach((v, i) => expect(v).toBeCloseTo(slow.samples[i]!, 14));
    expect(fast.lo).toBeCloseTo(slow.lo, 14);
    expect(fast.hi).toBeCloseTo(slow.hi, 14);
  });

  it('has a bootstrap spread of a mean close to sd / sqrt(n)', () => {
    const rng = makeRng(5);
    const values = Array.from({ length: 400 }, () => rng.normal());
    const mean = (rows: Uint32Array): number => gather(values, rows).reduce((s, v) => s + v, 0) / rows.length;
    const r = bootstrapCi(values.length, mean, { seed: 9, nResamples: 2000, alpha: 0.1 });
    const m = r.samples.reduce((s, v) => s + v, 0) / r.samples.length;
    const sd = Math.sqrt(r.samples.reduce((s, v) => s + (v - m) ** 2, 0) / (r.samples.length - 1));
    const mu = mean(Uint32Array.from(values.keys()));
    const popSd = Math.sqrt(values.reduce((s, v) => s + (v - mu) ** 2, 0) / values.length);
    expect(sd / (popSd / Math.sqrt(values.length))).toBeGreaterThan(0.9);
    expect(sd / (popSd / Math.sqrt(values.length))).toBeLessThan(1.1);
    expect(r.alpha).toBe(0.1);
  });

  it('skips and counts resamples that draw one class', () => {
    // P(no positive) + P(no negative) = (3/4)^4 + (1/4)^4
    const r = bootstrapAuc([1, 0, 0, 0], [0.9, 0.1, 0.5, 0.95], { seed: 3, nResamples: 4000 });
    expect(r.samples.length + r.nSkipped).toBe(4000);
    expect(r.nSkipped / 4000).toBeCloseTo((3 / 4) ** 4 + (1 / 4) ** 4, 1);
    expect(r.samples.every((v) => !Number.isNaN(v))).toBe(true);
  });

  it('throws when the metric is undefined everywhere or options are invalid', () => {
    expect(() => bootstrapCi(3, () => NaN, { seed: 1 })).toThrow(/original data/);
    let calls = 0;
    expect(() => bootstrapCi(3, () => (calls++ === 0 ? 1 : NaN), { seed: 1, nResamples: 5 })).toThrow(
      /undefined on all 5 resamples/,
    );
    expect(() => bootstrapCi(3, () => 1, { seed: 1, alpha: 1 })).toThrow(/alpha/);
    expect(() => bootstrapCi(3, () => 1, { seed: 1, nResamples: 0 })).toThrow(/nResamples/);
    expect(() => bootstrapCi(0, () => 1, { seed: 1 })).toThrow(/nRows/);
    expect(() => bootstrapAuc([1, 1], [0.1, 0.2], { seed: 1 })).toThrow(/original data/);
  });
});

describe('bootstrapUauc', () => {
  const users = [1, 1, 1, 2, 2, 3, 4, 4];
  const labels = [1, 0, 0, 1, 0, 1, 1, 1];
  const scores = [0.9, 0.5, 0.9, 0.8, 0.1, 0.3, 0.2, 0.4];

  it('estimates uauc and resamples users as clusters', () => {
    const r = bootstrapUauc(users, labels, scores, { seed: 11, nResamples: 2000 });
    expect(r.estimate).toBe(uauc(users, labels, scores).uauc);
    // counted users have AUC 3/4 and 1, so every defined resample mean lies in [3/4, 1]
    expect(r.lo).toBeGreaterThanOrEqual(3 / 4);
    expect(r.hi).toBeLessThanOrEqual(1);
    // a resample is undefined only when all 4 draws hit the 2 skipped users: (2/4)^4
    expect(r.nSkipped / 2000).toBeCloseTo((2 / 4) ** 4, 1);
    expect(r.samples.length + r.nSkipped).toBe(2000);
  });

  it('gives a zero-width interval when every counted user has the same AUC', () => {
    const r = bootstrapUauc([1, 1, 2, 2, 3], [1, 0, 0, 1, 1], [0.9, 0.1, 0.2, 0.7, 0.5], { seed: 2, nResamples: 200 });
    expect(r.estimate).toBe(1);
    expect(r.lo).toBe(1);
    expect(r.hi).toBe(1);
  });
});
