// Tests for NDCG@K, Recall@K, Hit@K and their user mean, with expected values written as formulas.
// Reference: RecBole tests/metrics/test_topk_metrics.py (formula-style expectations).

import { describe, expect, it } from 'vitest';
import { hitAtK, ndcgAtK, rankingMetrics, recallAtK } from '../../src/metrics/ranking';

describe('per-user ranking metrics', () => {
  const ranked = [1, 2, 3, 4, 5];
  const relevant = new Set([2, 5]);

  it('matches formulas when k < n', () => {
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
    expect(recallAtK(ranked, relevant, 3)).toBe(1 / 2);
    expect(hitAtK(ranked, relevant, 3)).toBe(1);
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo(
      (1 / Math.log2(3) + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3)),
      15,
    );
    expect(hitAtK(ranked, relevant, 1)).toBe(0);
    expect(ndcgAtK(ranked, relevant, 1)).toBe(0);
    expect(recallAtK(ranked, relevant, 1)).toBe(0);
  });

  it('uses the whole list when k > n and counts unlisted relevant items as misses', () => {
    const short = [7, 8];
    const rel = [8, 9];
    expect(ndcgAtK(short, rel, 5)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
    expect(recallAtK(short, rel, 5)).toBe(1 / 2);
    expect(hitAtK(short, rel, 5)).toBe(1);
    expect(ndcgAtK([8], [8], 10)).toBe(1);
  });

  it('caps the ideal DCG at k when there are more relevant items than k', () => {
    const rel = [1, 2, 3];
    expect(ndcgAtK(ranked, rel, 2)).toBe(1);
    expect(recallAtK(ranked, rel, 2)).toBe(2 / 3);
    expect(ndcgAtK([9, 1, 2, 3], rel, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
  });

  it('throws when no item is relevant, on duplicates and on a bad k', () => {
    expect(() => ndcgAtK(ranked, [], 3)).toThrow(/no relevant items/);
    expect(() => recallAtK(ranked, new Set<number>(), 3)).toThrow(/no relevant items/);
    expect(() => hitAtK([1, 1, 2], [2], 3)).toThrow(/item 1 appears twice/);
    expect(() => ndcgAtK(ranked, [2], 0)).toThrow(/positive integer/);
    expect(() => ndcgAtK(ranked, [2], 2.5)).toThrow(/positive integer/);
  });
});

describe('rankingMetrics', () => {
  it('averages over users with RecBole keys and skips users with no relevant items', () => {
    const r = rankingMetrics(
      [
        { ranked: [1, 2, 3], relevant: [1] },
        { ranked: [4, 5, 6], relevant: [6, 9] },
        { ranked: [7, 8], relevant: [] },
        { ranked: [1, 2, 3], relevant: new Set([5]) },
      ],
      [1, 3],
    );
    expect(r.nUsers).toBe(3);
    expect(r.nSkipped).toBe(1);
    expect(Object.keys(r.metrics).sort()).toEqual(['hit@1', 'hit@3', 'ndcg@1', 'ndcg@3', 'recall@1', 'recall@3']);
    expect(r.metrics['hit@1']).toBeCloseTo(1 / 3, 15);
    expect(r.metrics['recall@1']).toBeCloseTo(1 / 3, 15);
    expect(r.metrics['ndcg@1']).toBeCloseTo(1 / 3, 15);
    expect(r.metrics['hit@3']).toBeCloseTo(2 / 3, 15);
    expect(r.metrics['recall@3']).toBeCloseTo((1 + 1 / 2 + 0) / 3, 15);
    expect(r.metrics['ndcg@3']).toBeCloseTo((1 + 1 / Math.log2(4) / (1 + 1 / Math.log2(3)) + 0) / 3, 15);
  });

  it('agrees with the per-user functions', () => {
    const users = [
      { ranked: [3, 1, 4, 5, 9, 2, 6], relevant: [1, 9, 8] },
      { ranked: [2, 7, 1, 8], relevant: [8] },
    ];
    const r = rankingMetrics(users, [2, 5, 20]);
    for (const k of [2, 5, 20]) {
      const mean = (f: typeof ndcgAtK): number => users.reduce((s, u) => s + f(u.ranked, u.relevant, k), 0) / 2;
      expect(r.metrics[`ndcg@${k}`]).toBeCloseTo(mean(ndcgAtK), 15);
      expect(r.metrics[`recall@${k}`]).toBeCloseTo(mean(recallAtK), 15);
      expect(r.metrics[`hit@${k}`]).toBeCloseTo(mean(hitAtK), 15);
    }
  });

  it('returns NaN means when every user is skipped and rejects empty ks', () => {
    const r = rankingMetrics([{ ranked: [1], relevant: [] }], [10]);
    expect(r.nUsers).toBe(0);
    expect(r.metrics['ndcg@10']).toBeNaN();
    expect(() => rankingMetrics([], [])).toThrow(/ks is empty/);
  });
});
