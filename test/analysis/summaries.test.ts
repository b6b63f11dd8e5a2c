// Split summaries on a hand-made split: sizes, label balance, history lengths, warm/cold shares and
// per-month counts with the split boundaries, checked against values counted by hand.
import { describe, expect, it } from 'vitest';
import { maskShareRows, monthlyCounts, splitSummaryRows } from '../../src/analysis/summaries';

const t = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h) / 1000;
// 4 rows, users {0,1}, items {5,6,7}; histories of length 0, 1, 2, 3
const train = {
  userIdx: Int32Array.from([0, 0, 1, 1]), itemIdx: Int32Array.from([5, 6, 5, 7]), label: Uint8Array.from([1, 0, 1, 1]),
  timestamp: Float64Array.from([t(2000, 1, 3), t(2000, 1, 20), t(2000, 3, 1), t(2000, 3, 9)]),
  histOffsets: Int32Array.from([0, 0, 1, 3, 6]),
};
const test = {
  userIdx: Int32Array.from([1]), itemIdx: Int32Array.from([9]), label: Uint8Array.from([0]),
  timestamp: Float64Array.from([t(2000, 4, 2, 13)]), histOffsets: Int32Array.from([0, 2]),
};

describe('split summaries', () => {
  it('splitSummaryRows counts rows, positives, distinct users/items, history lengths and the date range', () => {
    const [r, s] = splitSummaryRows({ train, valid: undefined, test });
    expect(r).toEqual({ split: 'train', rows: 4, positives: 3, positiveShare: 3 / 4, users: 2, items: 3,
      historyMean: (0 + 1 + 2 + 3) / 4, historyMedian: (1 + 2) / 2, historyMax: 3, from: '2000-01-03', to: '2000-03-09' });
    expect(s).toMatchObject({ split: 'test', rows: 1, positives: 0, positiveShare: 0, historyMedian: 2, historyMax: 2 });
  });

  it('maskShareRows counts warm, cold and rows in neither set per split and definition', () => {
    const masks = { a: { warm: [1, 1, 0, 0], cold: [0, 0, 1, 1] }, b: { warm: [1, 0, 0, 0], cold: [0, 0, 0, 1] } };
    const rows = maskShareRows({ train }, ['a', 'b'] as const, (_s, d) => masks[d]);
    expect(rows).toEqual([
      { split: 'train', definition: 'a', rows: 4, warm: 2, cold: 2, neither: 0, warmShare: 0.5, coldShare: 0.5 },
      { split: 'train', definition: 'b', rows: 4, warm: 1, cold: 1, neither: 2, warmShare: 0.25, coldShare: 0.25 },
    ]);
  });

  it('monthlyCounts fills every month between the first and last row, and marks where later splits start', () => {
    const m = monthlyCounts({ train, test });
    expect(m.months).toEqual(['2000-01', '2000-02', '2000-03', '2000-04']);
    expect(m.series).toEqual([
      { name: 'train', x: ['2000-01-15', '2000-02-15', '2000-03-15', '2000-04-15'], y: [2, 0, 2, 0] },
      { name: 'test', x: ['2000-01-15', '2000-02-15', '2000-03-15', '2000-04-15'], y: [0, 0, 0, 1] },
    ]);
    expect(m.boundaries).toEqual([{ x: '2000-04-02 13:00', label: 'test starts' }]);
  });

  it('monthlyCounts crosses year ends and refuses splits without rows', () => {
    const a = { timestamp: [t(1999, 12, 31)] }, b = { timestamp: [t(2000, 2, 1)] };
    expect(monthlyCounts({ train: a, test: b }).months).toEqual(['1999-12', '2000-01', '2000-02']);
    expect(() => monthlyCounts({ train: { timestamp: [] } })).toThrow(/none of train, valid, test has rows/);
  });
});
