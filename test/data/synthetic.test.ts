// The embedded synthetic world: deterministic, MovieLens-like, with cold rows and learnable signal.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { syntheticWorld, GENRES, makeSyntheticConfig } from '../../src/data/synthetic';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
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
    expect(() => makeSyntheticConfig({ version: 3 as never })).toThrow(/version must be 1 or 2/);
    expect(() => makeSyntheticConfig('huge' as never)).toThrow(/unknown synthetic preset "huge"/);
  });
});

describe('synthetic world versions', () => {
  it('v1 stays reproducible: random adjective + noun titles as first generated', () => {
    const v1 = syntheticWorld('tiny-v1');
    expect(makeSyntheticConfig('tiny-v1').version).toBe(1);
    expect(v1.nItems).toBe(120);
    expect(v1.items[0]!.title).toMatch(/^[A-Z][a-z]+ (of the )?[A-Z]/);
    expect(syntheticWorld('tiny-v1').items.map((i) => i.title)).toEqual(v1.items.map((i) => i.title));
  });
  it('v2 (default) titles carry genre words: an item\'s genres explain its title words far better than chance', () => {
    const w = syntheticWorld('default');
    expect(makeSyntheticConfig('default').version).toBe(2);
    // for each word, its most frequent genre; share of items whose title has a word pointing at one of their genres
    const byWord = new Map<string, Map<string, number>>();
    for (const it of w.items) for (const word of it.title.replace(/\(\d{4}\)|,? The|of the/g, ' ').split(/\s+/).filter(Boolean)) {
      const m = byWord.get(word) ?? new Map<string, number>();
      for (const g of it.genres) m.set(g, (m.get(g) ?? 0) + 1);
      byWord.set(word, m);
    }
    const top = (word: string) => [...byWord.get(word)!.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const hit = w.items.filter((it) => it.title.split(/\s+/).some((word) => byWord.has(word) && it.genres.includes(top(word)))).length / w.items.length;
    expect(hit).toBeGreaterThan(0.6);
  });
});

describe('default world contrast (computed): text knowing genres wins on cold rows, MF on warm rows', () => {
  it('content (genre-only) model cold AUC >= 0.65; MF warm AUC above the content model\'s', async () => {
    const ds = syntheticWorld('default');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'world-'));
    try {
      const run = (model: 'mf' | 'content', train: Record<string, number>) => runCFExperiment(makeCFExperiment({ model, backend: 'wasm', train }), { outDir: path.join(tmp, model), datasetOverride: ds, resume: false });
      const content = await run('content', { maxEpochs: 12 });
      const mf = await run('mf', { lr: 1e-2, maxEpochs: 30, patience: 5 });
      const wc = (r: typeof mf) => r.test.warmCold.cora;
      expect(wc(content).cold.auc!).toBeGreaterThanOrEqual(0.65);
      expect(wc(mf).warm.auc!).toBeGreaterThan(wc(content).warm.auc!);
      expect(wc(content).cold.auc!).toBeGreaterThan(wc(mf).cold.auc! + 0.1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
