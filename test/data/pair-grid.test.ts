// The users x items grid split: user-major pairs, each keeping its user's history and time; seeded rows
// of distinct users or items.
import { describe, expect, it } from 'vitest';
import { distinctRows, pairGridSplit } from '../../src/data/pair-grid';
import { syntheticWorld } from '../../src/data/synthetic';

const split = syntheticWorld('tiny').splits.test;
const hist = (s: typeof split, r: number) => Array.from(s.histItems.subarray(s.histOffsets[r]!, s.histOffsets[r + 1]!));

describe('pair grid', () => {
  it('distinctRows: n rows of distinct users (or items), the first row of each, in row order, seeded', () => {
    for (const [key, col] of [['user', split.userIdx], ['item', split.itemIdx]] as const) {
      const rows = distinctRows(split, key, 5, 3);
      expect(new Set(rows.map((r) => col[r])).size).toBe(5);
      for (const r of rows) expect(col.indexOf(col[r]!)).toBe(r);
      expect([...rows].sort((a, b) => a - b)).toEqual(rows);
      expect(distinctRows(split, key, 5, 3)).toEqual(rows);
      expect(distinctRows(split, key, 5, 4)).not.toEqual(rows);
    }
    expect(() => distinctRows(split, 'item', 1e6, 0)).toThrow(/1000000 items/);
  });
  it('pairGridSplit: user-major pairs with the user row\'s history and time, label 0, row id -1', () => {
    const users = distinctRows(split, 'user', 3, 0), items = [7, 2];
    const g = pairGridSplit(split, users, items);
    expect(g.label.length).toBe(6);
    expect(Array.from(g.itemIdx)).toEqual([7, 2, 7, 2, 7, 2]);
    for (let k = 0; k < 6; k++) {
      const r = users[Math.floor(k / 2)]!;
      expect(g.userIdx[k]).toBe(split.userIdx[r]);
      expect(g.timestamp[k]).toBe(split.timestamp[r]);
      expect(hist(g, k)).toEqual(hist(split, r));
    }
    expect(Array.from(g.label)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(g.rowId)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(() => pairGridSplit(split, [], [1])).toThrow(/at least one/);
  });
});
