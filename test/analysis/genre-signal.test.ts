// Training-free genre scores: exact values on a hand-made catalogue (history overlap share, Jaccard,
// genre base rates from train labels, the history window, items without genres), AUCs equal to auc() of
// those scores on the report's row sets, no use of the scored split's labels, bad windows refused.
import { describe, expect, it } from 'vitest';
import { genreSignal, genreSignalScores } from '../../src/analysis/genre-signal';
import { loadDataset } from '../../src/data/load';
import type { Dataset, InteractionSplit, SplitName } from '../../src/data/types';
import { warmColdMasks } from '../../src/data/warm-cold';
import { auc } from '../../src/metrics/auc';

function split(name: SplitName, rows: { item: number; label: number; hist: number[] }[]): InteractionSplit {
  const offsets = [0];
  rows.forEach((r) => offsets.push(offsets[offsets.length - 1]! + r.hist.length));
  return {
    name, userIdx: Int32Array.from(rows.map(() => 0)), itemIdx: Int32Array.from(rows.map((r) => r.item)), label: Uint8Array.from(rows.map((r) => r.label)),
    timestamp: Float64Array.from(rows.map((_, i) => i)), notCold: Uint8Array.from(rows.map(() => 1)), rowId: Int32Array.from(rows.map((_, i) => i)),
    histOffsets: Int32Array.from(offsets), histItems: Int32Array.from(rows.flatMap((r) => r.hist)),
  };
}

// items: 0 {A}, 1 {B}, 2 {A, B}, 3 {}; train rates: A 3/3 (items 0, 0, 2), B 1/2 (items 1, 2), overall 3/4
const items = [['A'], ['B'], ['A', 'B'], []].map((genres, i) => ({ title: `t${i}`, genres, year: 2000 }));
const train = split('train', [{ item: 0, label: 1, hist: [] }, { item: 0, label: 1, hist: [] }, { item: 1, label: 0, hist: [] }, { item: 2, label: 1, hist: [] }]);
const test = split('test', [{ item: 2, label: 1, hist: [0, 1, 3] }, { item: 3, label: 0, hist: [0] }, { item: 0, label: 0, hist: [] }]);
const tiny = { name: 'hand', nUsers: 1, nItems: 4, items, users: null, splits: { train, valid: test, test }, source: {} } as unknown as Dataset;

describe('genre signal', () => {
  it('scores overlap share, Jaccard and genre base rate exactly', () => {
    const s = genreSignalScores(tiny, test);
    expect(Array.from(s.overlapShare)).toEqual([2 / 3, 0, 0]);
    expect(s.jaccard[0]).toBeCloseTo((1 / 2 + 1 / 2 + 0) / 3, 12);
    expect(Array.from(s.genreBaseRate)).toEqual([(1 + 0.5) / 2, 0.75, 1]);
    const last2 = genreSignalScores(tiny, test, 2);
    expect(last2.overlapShare[0]).toBe(1 / 2);
    expect(last2.jaccard[0]).toBeCloseTo(1 / 4, 12);
    expect(() => genreSignalScores(tiny, test, 0)).toThrow(/historyLen must be an integer >= 1, got 0/);
  });

  it("gives auc() of the scores on all rows and on a definition's warm and cold rows", () => {
    const ds = loadDataset('synthetic-tiny');
    const t = ds.splits.test;
    const recs = genreSignal(ds, 'collm-paper');
    expect(recs.map((r) => r.rows)).toEqual(['all', 'collm-paper warm', 'collm-paper cold']);
    const s = genreSignalScores(ds, t);
    const y = Array.from(t.label);
    expect(recs[0]!.n).toBe(y.length);
    expect(recs[0]!.jaccard).toBeCloseTo(auc(y, Array.from(s.jaccard)), 12);
    const cold = [...y.keys()].filter((k) => warmColdMasks(ds, t, 'collm-paper').cold[k] === 1);
    expect(recs[2]!.n).toBe(cold.length);
    expect(recs[2]!.genreBaseRate).toBeCloseTo(auc(cold.map((k) => y[k]!), cold.map((k) => s.genreBaseRate[k]!)), 12);
  });

  it("never reads the scored split's labels", () => {
    const ds = loadDataset('synthetic-tiny');
    const t = ds.splits.test;
    const flipped = { ...t, label: Uint8Array.from(t.label, (v) => 1 - v) };
    const a = genreSignalScores(ds, t), b = genreSignalScores({ ...ds, splits: { ...ds.splits, test: flipped } }, flipped);
    for (const k of ['overlapShare', 'jaccard', 'genreBaseRate'] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
  });
});
