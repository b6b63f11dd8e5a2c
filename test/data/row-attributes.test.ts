// Row attributes on a hand-made two-user dataset: first genre, history length from the CSR offsets,
// train rows per user; quantile buckets of counts; rows spanning the activity range.
import { describe, expect, it } from 'vitest';
import { activitySpanRows, quantileBuckets, rowAttributes, userTrainCounts } from '../../src/data/row-attributes';
import type { Dataset, InteractionSplit } from '../../src/data/types';

function split(name: InteractionSplit['name'], users: number[], items: number[], hist: number[][]): InteractionSplit {
  const n = users.length, off = [0];
  for (const h of hist) off.push(off[off.length - 1]! + h.length);
  return {
    name, userIdx: Int32Array.from(users), itemIdx: Int32Array.from(items), label: Uint8Array.from(users.map((_, i) => i % 2)),
    timestamp: new Float64Array(n), notCold: new Uint8Array(n).fill(1), rowId: Int32Array.from(users.map((_, i) => i)),
    histOffsets: Int32Array.from(off), histItems: Int32Array.from(hist.flat()),
  };
}
const train = split('train', [0, 0, 0, 1], [0, 1, 2, 0], [[], [0], [0, 1], []]);
const test = split('test', [1, 0, 2], [2, 1, 0], [[0], [0, 1, 2], []]);
const ds: Pick<Dataset, 'nUsers' | 'items' | 'splits'> = {
  nUsers: 3,
  items: [{ title: 'A (1990)', genres: ['Drama', 'War'], year: 1990 }, { title: 'B (1991)', genres: [], year: 1991 }, { title: 'C (1992)', genres: ['Comedy'], year: 1992 }],
  splits: { train, valid: test, test },
};

describe('rowAttributes', () => {
  it('counts train rows per user', () => {
    expect(Array.from(userTrainCounts(ds))).toEqual([3, 1, 0]);
  });
  it('gives the item, first genre, history length and user activity of each row', () => {
    const a = rowAttributes(ds, test);
    expect(a).toEqual([
      { row: 0, userIdx: 1, itemIdx: 2, label: 0, title: 'C (1992)', genre: 'Comedy', historyLength: 1, userTrainRows: 1 },
      { row: 1, userIdx: 0, itemIdx: 1, label: 1, title: 'B (1991)', genre: '(none)', historyLength: 3, userTrainRows: 3 },
      { row: 2, userIdx: 2, itemIdx: 0, label: 0, title: 'A (1990)', genre: 'Drama', historyLength: 0, userTrainRows: 0 },
    ]);
    expect(rowAttributes(ds, test, [2]).map((r) => r.row)).toEqual([2]);
    expect(() => rowAttributes(ds, test, [3])).toThrow(/row 3 is outside the test split's \[0, 3\)/);
  });
});

describe('quantileBuckets', () => {
  it('cuts integer counts at their terciles into low / mid / high with ranges', () => {
    const b = quantileBuckets([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.order).toEqual(['low (1-3)', 'mid (4-6)', 'high (7-9)']);
    expect(b.labels).toEqual(['low (1-3)', 'low (1-3)', 'low (1-3)', 'mid (4-6)', 'mid (4-6)', 'mid (4-6)', 'high (7-9)', 'high (7-9)', 'high (7-9)']);
  });
  it('merges buckets whose cut points coincide, and handles no values', () => {
    const b = quantileBuckets([5, 5, 5, 5, 9, 9]);
    expect(b.order).toEqual(['q1 (5)', 'q2 (6-9)']);
    expect(b.labels).toEqual(['q1 (5)', 'q1 (5)', 'q1 (5)', 'q1 (5)', 'q2 (6-9)', 'q2 (6-9)']);
    expect(quantileBuckets([])).toEqual({ labels: [], order: [] });
    expect(() => quantileBuckets([1], 0)).toThrow(/positive integer/);
  });
});

describe('activitySpanRows', () => {
  it('picks the least active, middle and most active users\' rows', () => {
    const a = rowAttributes(ds, test);
    expect(activitySpanRows(a, 3)).toEqual([2, 0, 1]);
    expect(activitySpanRows(a, 2)).toEqual([2, 1]);
    expect(activitySpanRows(a, 1)).toEqual([0]);
    expect(() => activitySpanRows(a, 4)).toThrow(/at least 4 rows/);
  });
});
