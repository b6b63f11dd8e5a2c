// Warm / cold under the three definitions on a hand-made dataset where they disagree.
import { describe, expect, it } from 'vitest';
import { WARM_COLD_DEFINITIONS, warmColdMasks } from '../../src/data/warm-cold';
import { datasetFromCombined } from '../../src/data/protocol';

// train: user 0 has 4 rows, user 1 has 3; item 0 is seen 4 times, item 1 twice, item 2 once
const cols = {
  user: [0, 0, 0, 0, 1, 1, 1, /* test: */ 0, 1, 0, 2],
  item: [0, 1, 2, 0, 0, 0, 1, /* test: */ 0, 0, 2, 0],
  label: [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0],
  ts: [1, 2, 3, 4, 1, 2, 3, 10, 10, 11, 12],
  split: [0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2],
  hist: Array.from({ length: 11 }, () => [] as number[]),
};
const items = [0, 1, 2].map((i) => ({ title: `m${i}`, genres: [], year: null }));
const ds = datasetFromCombined('hand', cols, items, null, { validSmallFraction: 0, validSmallSeed: 0 }, {});

describe('warm-cold definitions', () => {
  const test = ds.splits.test; // rows: (0,0) (1,0) (0,2) (2,0)
  it('cora: warm = not_cold', () => {
    const m = warmColdMasks(ds, test, 'cora');
    expect(Array.from(test.notCold)).toEqual([1, 1, 1, 0]);
    expect(Array.from(m.warm)).toEqual([1, 1, 1, 0]);
    expect(Array.from(m.cold)).toEqual([0, 0, 0, 1]);
  });
  it('collm-code: warm needs > 3 train rows for user and item; cold = not_cold 0; not a partition', () => {
    const m = warmColdMasks(ds, test, 'collm-code');
    expect(Array.from(m.warm)).toEqual([1, 0, 0, 0]);
    expect(Array.from(m.cold)).toEqual([0, 0, 0, 1]);
  });
  it('collm-paper: warm needs >= 3 train rows; cold = the rest', () => {
    const m = warmColdMasks(ds, test, 'collm-paper');
    expect(Array.from(m.warm)).toEqual([1, 1, 0, 0]);
    expect(Array.from(m.cold)).toEqual([0, 0, 1, 1]);
  });
  it('lists all three and rejects an unknown name', () => {
    expect(WARM_COLD_DEFINITIONS).toEqual(['cora', 'collm-code', 'collm-paper']);
    expect(() => warmColdMasks(ds, test, 'bogus' as never)).toThrow(/unknown warm-cold definition "bogus"/);
  });
});
