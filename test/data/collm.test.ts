// The CoLLM split reader: published row counts, id ranges, histories, valid_small, and UAUC user counts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/types';
import { readCollmSplits } from '../../src/data/collm';
import { uauc } from '../../src/metrics/uauc';
import { sharedData } from './shared-data';

const collm = sharedData('collm-ml1m/train_ood2.jsonl.gz');

describe.skipIf(!collm.present)(`CoLLM ML-1M splits${collm.missing}`, () => {
  let ds: Dataset;
  beforeAll(() => { ds = readCollmSplits(collm.path.replace(/train_ood2\.jsonl\.gz$/, '')); });
  it('has the published sizes and 0-based ids', () => {
    expect([ds.splits.train.label.length, ds.splits.valid.label.length, ds.splits.validSmall!.label.length, ds.splits.test.label.length])
      .toEqual([33891, 10401, 5200, 7331]);
    expect(ds.nUsers).toBe(838);
    expect(ds.nItems).toBe(3255);
    expect(ds.items[0]!.title).toBe('Shawshank Redemption, The (1994)');
    expect(ds.items[1]!.genres).toEqual(['Comedy', 'Crime']);
    expect(ds.items[1]!.year).toBe(1973);
    expect(ds.rawItemIds![0]).toBe(318);
    const t = ds.splits.train;
    // row idx 1 of CoLLM: uid 1, iid 2, his [0, 1] -> user 0, item 1, history [0]
    expect([t.userIdx[1], t.itemIdx[1], t.rowId[1]]).toEqual([0, 1, 1]);
    expect(Array.from(t.histItems.subarray(t.histOffsets[1]!, t.histOffsets[2]!))).toEqual([0]);
    expect(t.histOffsets[1]! - t.histOffsets[0]!).toBe(0);
  });
  it('counts 224 test users and 282 valid users in UAUC', () => {
    for (const [sp, expected] of [['test', 224], ['valid', 282]] as const) {
      const s = ds.splits[sp];
      const scores = Array.from(s.label, (_, k) => (k * 7919) % 1000);
      expect(uauc(s.userIdx, s.label, scores).nUsers).toBe(expected);
    }
  });
  it('validSmall is a subset of valid with identical rows', () => {
    const v = ds.splits.valid, s = ds.splits.validSmall!;
    const byRow = new Map<number, number>();
    v.rowId.forEach((g, k) => byRow.set(g, k));
    for (let k = 0; k < s.label.length; k++) {
      const j = byRow.get(s.rowId[k]!);
      expect(j).toBeDefined();
      expect([s.userIdx[k], s.itemIdx[k], s.label[k]]).toEqual([v.userIdx[j!], v.itemIdx[j!], v.label[j!]]);
    }
  });
});
