// The protocol builder reproduces CoLLM's published ML-1M rows (uid, iid, label, timestamp, history)
// for the users covered by the ratings prefix, and runs ML-100K through the same code.
import { describe, expect, it } from 'vitest';
import { readCollmSplits } from '../../src/data/collm';
import { readMl100k, readMl1m } from '../../src/data/movielens';
import { buildProtocolDataset, COLLM_ML1M_PROTOCOL, ML100K_PROTOCOL, monthSlot } from '../../src/data/protocol';
import type { InteractionSplit } from '../../src/data/types';
import { sharedData } from './shared-data';

const ml1m = sharedData('ml-1m/ratings_first487650.dat.gz');
const collm = sharedData('collm-ml1m/train_ood2.jsonl.gz');
const ml100k = sharedData('ml-100k/u.data');

function rowsOfUsersBelow(s: InteractionSplit, maxUser: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < s.label.length; k++) {
    if (s.userIdx[k]! >= maxUser) continue;
    const h = Array.from(s.histItems.subarray(s.histOffsets[k]!, s.histOffsets[k + 1]!)).join(',');
    out.push(`${s.userIdx[k]}|${s.itemIdx[k]}|${s.label[k]}|${s.timestamp[k]}|${h}`);
  }
  return out;
}

describe('month slots', () => {
  it('April 2000 is slot 0 and slots follow the UTC calendar', () => {
    const r = COLLM_ML1M_PROTOCOL.rule as { originYear: number; originMonth: number };
    expect(monthSlot(Date.UTC(2000, 3, 1) / 1000, r)).toBe(0);
    expect(monthSlot(Date.UTC(2000, 2, 31, 23, 59, 59) / 1000, r)).toBe(-1);
    expect(monthSlot(Date.UTC(2001, 5, 1) / 1000, r)).toBe(14);
    expect(monthSlot(Date.UTC(2003, 0, 31, 23) / 1000, r)).toBe(33);
  });
});

describe.skipIf(!ml1m.present || !collm.present)(`CoLLM ML-1M protocol reproduction${ml1m.missing}${collm.missing}`, () => {
  it('rebuilds CoLLM uids 1..460 row for row from the ratings prefix', () => {
    const dir = ml1m.path.replace(/ratings_first487650\.dat\.gz$/, '');
    const built = buildProtocolDataset(readMl1m(dir, { ratingsFile: 'ratings_first487650.dat.gz' }), COLLM_ML1M_PROTOCOL);
    const official = readCollmSplits(collm.path.replace(/train_ood2\.jsonl\.gz$/, ''));
    expect(built.nUsers).toBe(460);
    let total = 0;
    for (const sp of ['train', 'valid', 'test'] as const) {
      const a = rowsOfUsersBelow(official.splits[sp], 460), b = rowsOfUsersBelow(built.splits[sp], 460);
      expect(b.length).toBe(a.length);
      const firstDiff = a.findIndex((x, k) => x !== b[k]);
      expect(firstDiff, `${sp}: first differing row ${firstDiff}: CoLLM ${a[firstDiff]} vs kit ${b[firstDiff]}`).toBe(-1);
      total += a.length;
    }
    expect(total).toBe(31942);
    // titles agree through the two id spaces
    for (let i = 0; i < 50; i++) expect(built.items[i]!.title).toBe(official.items[i]!.title);
  }, 60_000);
});

describe.skipIf(!ml100k.present)(`ML-100K through the same builder${ml100k.missing}`, () => {
  it('gives time-ordered splits with histories of earlier positives', () => {
    const ds = buildProtocolDataset(readMl100k(ml100k.path.replace(/u\.data$/, '')), ML100K_PROTOCOL);
    const { train, valid, test } = ds.splits;
    expect(train.label.length).toBeGreaterThan(50_000);
    expect(valid.label.length).toBeGreaterThan(5_000);
    expect(test.label.length).toBeGreaterThan(5_000);
    expect(Math.max(...train.timestamp)).toBeLessThan(Math.min(...valid.timestamp));
    expect(Math.max(...valid.timestamp)).toBeLessThan(Math.min(...test.timestamp));
    expect(train.notCold.every((x) => x === 1)).toBe(true);
    // a history holds only positives of the same user seen before (checked on test rows)
    const pos = new Map<string, number>();
    for (const s of [train, valid, test]) for (let k = 0; k < s.label.length; k++) if (s.label[k]) pos.set(`${s.userIdx[k]}:${s.itemIdx[k]}`, s.timestamp[k]!);
    for (let k = 0; k < test.label.length; k += 97) {
      for (let j = test.histOffsets[k]!; j < test.histOffsets[k + 1]!; j++) {
        const t = pos.get(`${test.userIdx[k]}:${test.histItems[j]}`);
        expect(t).toBeDefined();
        expect(t!).toBeLessThanOrEqual(test.timestamp[k]!);
      }
    }
    expect(ds.items.every((it) => it.title.length > 0)).toBe(true);
  }, 60_000);
});
