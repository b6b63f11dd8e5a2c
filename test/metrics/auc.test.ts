// Tests for ROC AUC: hand-made cases with ties, sklearn goldens, an O(n^2) pair count, error cases.
// Reference: sklearn.metrics.roc_auc_score (goldens in test/fixtures/metrics, see its README).

import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { auc } from '../../src/metrics/auc';
import goldens from '../fixtures/metrics/goldens.json';

// Mean over positive/negative pairs of 1 (positive higher), 1/2 (tie), 0; O(n^2).
function pairAuc(labels: number[], scores: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < labels.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      const d = scores[i]! - scores[j]!;
      sum += d > 0 ? 1 : d === 0 ? 0.5 : 0;
      pairs++;
    }
  }
  return sum / pairs;
}

describe('auc', () => {
  it('matches hand-computed values', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(3 / 4, 15);
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it('gives tied positive/negative pairs half credit', () => {
    // pos 0.5: tie with neg 0.5 (1/2) + beats 0.2 (1); pos 0.9 beats both (2)
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo((1 / 2 + 1 + 2) / 4, 15);
    expect(auc([0, 1, 0, 1, 1], [3, 3, 3, 3, 3])).toBe(1 / 2);
    // 3 positives x 2 negatives, one tie block holding 1 pos + 1 neg
    expect(auc([1, 0, 1, 0, 1], [2, 1, 1, 0, 5])).toBeCloseTo((2 + 1 / 2 + 1 + 2) / 6, 15);
  });

  it('accepts typed arrays and is invariant to monotone transforms', () => {
    const y = [0, 1, 1, 0, 1, 0, 0, 1];
    const s = [0.2, 0.7, 0.2, 0.1, 0.9, 0.6, 0.7, 0.3];
    const expected = auc(y, s);
    expect(auc(Int32Array.from(y), Float64Array.from(s))).toBe(expected);
    expect(auc(y, s.map((v) => Math.log(v) * 3 - 1))).toBeCloseTo(expected, 15);
  });

  it('matches sklearn roc_auc_score on random data with ties', () => {
    for (const c of goldens.auc) expect(auc(c.labels, c.scores), c.name).toBeCloseTo(c.auc, 12);
  });

  it('matches an O(n^2) pair count on random data with heavy ties', () => {
    const rng = makeRng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + rng.int(80);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(2)));
      const scores = Array.from({ length: n }, () => rng.int(6) / 2);
      expect(auc(labels, scores)).toBeCloseTo(pairAuc(labels, scores), 14);
    }
  });

  it('throws clear errors', () => {
    expect(() => auc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/only one class/);
    expect(() => auc([0, 0], [0.1, 0.2])).toThrow(/only one class/);
    expect(() => auc([0, 1], [0.1])).toThrow(/differ in length \(2 vs 1\)/);
    expect(() => auc([0, 1, 1], [0.1, NaN, 0.3])).toThrow(/row 1 is NaN/);
    expect(() => auc([0, 1], [0.1, Infinity])).toThrow(/finite/);
    expect(() => auc([0, 2], [0.1, 0.2])).toThrow(/label at row 1 is 2/);
    expect(() => auc([], [])).toThrow(/no rows/);
  });
});
