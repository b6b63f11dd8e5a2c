// The embedded synthetic world: deterministic, MovieLens-like, with cold rows and learnable signal.
import { describe, expect, it } from 'vitest';
import { syntheticWorld, GENRES, makeSyntheticConfig } from '../../src/data/synthetic';
import { auc } from '../../src/metrics/auc';
import { trainCounts } from '../../src/data/warm-cold';

describe('synthetic world', () => {
  const a = syntheticWorld('tiny'), b = syntheticWorld('tiny');
  it('is identical for equal configs and differs for another seed', () => {
    expect(Array.from(a.splits.test.itemIdx)).toEqual(Array.from(b.splits.test.itemIdx));
    expect(Array.from(a.splits.train.label)).toEqual(Array.from(b.splits.train.label));
    const c = syntheticWorld({ ...makeSyntheticConfig('tiny'), seed: 8 });
    expect(Array.from(c.splits.train.itemIdx.slice(0, 50))).not.toEqual(Array.from(a.splits.train.itemIdx.slice(0, 50)));
  });
  it('has titles with years, MovieLens genres, balanced labels and cold rows only after train', () => {
    expect(a.items.every((i) => /\(\d{4}\)$/.test(i.title) && i.genres.length >= 1 && i.genres.every((g) => (GENRES as readonly string[]).includes(g)))).toBe(true);
    expect(new Set(a.items.map((i) => i.title)).size).toBe(a.items.length);
    for (const s of [a.splits.train, a.splits.valid, a.splits.test]) {
      const pos = s.label.reduce((x, y) => x + y, 0) / s.label.length;
      expect(pos).toBeGreaterThan(0.35);
      expect(pos).toBeLessThan(0.75);
    }
    expect(a.splits.train.notCold.every((x) => x === 1)).toBe(true);
    expect(a.splits.test.notCold.some((x) => x === 0)).toBe(true);
    expect(Math.max(...a.splits.train.timestamp)).toBeLessThan(Math.min(...a.splits.test.timestamp));
  });
  it('labels carry signal: train positive rates of user and item predict test labels', () => {
    const tc = trainCounts(a), pos = new Float64Array(a.nItems), upos = new Float64Array(a.nUsers);
    const t = a.splits.train;
    for (let k = 0; k < t.label.length; k++) { pos[t.itemIdx[k]!]! += t.label[k]!; upos[t.userIdx[k]!]! += t.label[k]!; }
    const s = a.splits.test, labels: number[] = [], scores: number[] = [];
    for (let k = 0; k < s.label.length; k++) {
      const i = s.itemIdx[k]!, u = s.userIdx[k]!;
      if (tc.item[i]! < 3 || tc.user[u]! < 3) continue;
      labels.push(s.label[k]!);
      scores.push(pos[i]! / tc.item[i]! + upos[u]! / tc.user[u]!);
    }
    expect(auc(labels, scores)).toBeGreaterThan(0.6);
  });
  it('rejects bad settings by field name', () => {
    expect(() => makeSyntheticConfig({ nUsers: 3 })).toThrow(/nUsers/);
    expect(() => makeSyntheticConfig('huge' as never)).toThrow(/unknown synthetic preset "huge"/);
  });
});
