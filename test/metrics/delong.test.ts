// Tests for DeLong's test (fast midrank version) against an O(mn) placement-value computation in the
// test and scipy goldens, plus erf/erfc/Phi accuracy and midranks.
// Reference: DeLong et al. (1988); Sun & Xu (2014); goldens: test/fixtures/metrics/README.md.

import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { auc } from '../../src/metrics/auc';
import { delongTest, erf, erfc, midranks, normalCdf } from '../../src/metrics/delong';
import goldens from '../fixtures/metrics/goldens.json';

// DeLong 1988 straight from the definition: psi over all positive/negative pairs, O(mn).
function slowDelong(labels: number[], a: number[], b: number[]): { aucA: number; aucB: number; variance: number } {
  const pos = labels.flatMap((y, i) => (y === 1 ? [i] : []));
  const neg = labels.flatMap((y, i) => (y === 0 ? [i] : []));
  const psi = (x: number, y: number): number => (x > y ? 1 : x === y ? 0.5 : 0);
  const comp = (s: number[]): { v10: number[]; v01: number[] } => ({
    v10: pos.map((i) => neg.reduce((t, j) => t + psi(s[i]!, s[j]!), 0) / neg.length),
    v01: neg.map((j) => pos.reduce((t, i) => t + psi(s[i]!, s[j]!), 0) / pos.length),
  });
  const mean = (v: number[]): number => v.reduce((t, x) => t + x, 0) / v.length;
  const cov = (u: number[], v: number[]): number => {
    const mu = mean(u);
    const mv = mean(v);
    return u.reduce((t, x, i) => t + (x - mu) * (v[i]! - mv), 0) / (u.length - 1);
  };
  const A = comp(a);
  const B = comp(b);
  const s10 = cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10);
  const s01 = cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01);
  return { aucA: mean(A.v10), aucB: mean(B.v10), variance: s10 / pos.length + s01 / neg.length };
}

describe('erf, erfc, normalCdf', () => {
  it('match Python math.erf/erfc and scipy norm.cdf to about 1e-7 (relative in the tails)', () => {
    for (const row of goldens.normal) {
      expect(Math.abs(erf(row.x) - row.erf), `erf(${row.x})`).toBeLessThan(2e-7);
      expect(Math.abs(erfc(row.x) - row.erfc) / row.erfc, `erfc(${row.x})`).toBeLessThan(2e-7);
      expect(Math.abs(normalCdf(row.x) - row.normalCdf) / row.normalCdf, `Phi(${row.x})`).toBeLessThan(2e-7);
    }
  });

  it('has the textbook values', () => {
    expect(normalCdf(0)).toBeCloseTo(1 / 2, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(erf(-0.5)).toBeCloseTo(-erf(0.5), 7);
  });
});

describe('midranks', () => {
  it('averages tied ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2]))).toEqual([(3 + 4) / 2, 1, (3 + 4) / 2, 2]);
    expect(Array.from(midranks([5, 5, 5]))).toEqual([2, 2, 2]);
  });
});

describe('delongTest', () => {
  it('matches scipy goldens (fast and O(mn) DeLong agreed in the generator)', () => {
    for (const c of goldens.delong) {
      const r = delongTest(c.labels, c.scoresA, c.scoresB);
      expect(r.aucA, c.name).toBeCloseTo(c.aucA, 12);
      expect(r.aucB, c.name).toBeCloseTo(c.aucB, 12);
      expect(r.diff, c.name).toBeCloseTo(c.aucA - c.aucB, 12);
      expect(r.variance, c.name).toBeCloseTo(c.variance, 14);
      expect(r.z, c.name).toBeCloseTo(c.z, 9);
      expect(Math.abs(r.pValue - c.pValue) / c.pValue, c.name).toBeLessThan(1e-6);
    }
  });

  it('matches the O(mn) definition on random data with ties', () => {
    const rng = makeRng(21);
    for (let trial = 0; trial < 10; trial++) {
      const n = 6 + rng.int(60);
      const labels = Array.from({ length: n }, (_, i) => (i < 4 ? i % 2 : rng.int(2)));
      const a = labels.map((y) => Math.round((rng.normal() + y) * 2) / 2);
      const b = a.map((v) => v + Math.round(rng.normal()) / 2);
      const r = delongTest(labels, a, b);
      const s = slowDelong(labels, a, b);
      expect(r.aucA).toBeCloseTo(s.aucA, 13);
      expect(r.aucA).toBeCloseTo(auc(labels, a), 13);
      expect(r.aucB).toBeCloseTo(s.aucB, 13);
      expect(r.variance).toBeCloseTo(s.variance, 13);
      if (r.variance > 0) {
        expect(r.pValue).toBeCloseTo(2 * (1 - normalCdf(Math.abs(r.diff / Math.sqrt(s.variance)))), 6);
      }
    }
  });

  it('gives z = 0 and p = 1 for identical scores', () => {
    const { labels, scoresA } = goldens.delong[0]!;
    const r = delongTest(labels, scoresA, scoresA);
    expect(r).toMatchObject({ diff: 0, z: 0, pValue: 1, variance: 0 });
    expect(delongTest(labels, scoresA, scoresA.map((v) => 2 * v + 1)).pValue).toBe(1);
  });

  it('is antisymmetric in the two score vectors', () => {
    const c = goldens.delong[1]!;
    const ab = delongTest(c.labels, c.scoresA, c.scoresB);
    const ba = delongTest(c.labels, c.scoresB, c.scoresA);
    expect(ba.z).toBeCloseTo(-ab.z, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
    expect(ba.variance).toBeCloseTo(ab.variance, 15);
  });

  it('throws with too few rows per class or bad input', () => {
    expect(() => delongTest([1, 0, 0], [0.3, 0.2, 0.1], [0.1, 0.2, 0.3])).toThrow(/at least 2 positives/);
    expect(() => delongTest([1, 0, 1, 0], [1, 2, 3, 4], [1, 2, 3])).toThrow(/differ in length/);
    expect(() => delongTest([1, 0, 1, 0], [1, 2, 3, 4], [1, NaN, 3, 4])).toThrow(/row 1 is NaN/);
  });
});
