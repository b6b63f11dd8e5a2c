// Warm vs cold report from run folders: records per run x (overall, definition x warm/cold) matching
// direct AUC / UAUC on the same rows, CIs around the estimate, the rows every run scored, seeded
// determinism, unknown row ids named; and the family winners with their sentences.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/core/io';
import { loadDataset } from '../../src/data/load';
import { noisyScore, scoredRunFolder } from './helpers';
import { WARM_COLD_DEFINITIONS, warmColdMasks } from '../../src/data/warm-cold';
import { auc } from '../../src/metrics/auc';
import { uauc } from '../../src/metrics/uauc';
import { describeFamilyWinners, familyWinners, warmColdReport, type WarmColdRecord } from '../../src/analysis/warm-cold-report';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-warm-cold-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const ds = loadDataset('synthetic-tiny');
const test = ds.splits.test;
const n = test.label.length;

const run = (name: string, f: (k: number) => number, rows?: readonly number[]): string => scoredRunFolder(root, test, name, f, rows);
const noisy = noisyScore(test);

describe('warmColdReport', () => {
  const perfect = run('perfect', (k) => test.label[k]!);
  const fuzzy = run('fuzzy', noisy);
  const opts = { seed: 3, nResamples: 200 };

  it('gives one overall record and warm / cold per definition for each run, matching direct metrics', () => {
    const recs = warmColdReport(ds, [{ name: 'P', dir: perfect, family: 'CF' }, { name: 'F', dir: fuzzy }], opts);
    expect(recs).toHaveLength(2 * (1 + 2 * WARM_COLD_DEFINITIONS.length));
    expect(recs.map((r) => `${r.method}/${r.definition}/${r.subset}`).slice(0, 3)).toEqual(['P/all/all', 'P/cora/warm', 'P/cora/cold']);
    expect(recs.slice(0, 7).map((r) => r.slice)).toEqual(['all', 'cora warm', 'cora cold', 'collm-code warm', 'collm-code cold', 'collm-paper warm', 'collm-paper cold']);
    expect(recs[0]!.family).toBe('CF');
    expect(recs[7]!.family).toBe('F');
    const all = recs[0]!;
    expect(all.n).toBe(n);
    expect(all.auc).toBe(1);
    expect([all.lo, all.hi]).toEqual([1, 1]);
    const f = recs.find((r) => r.method === 'F' && r.definition === 'all')!;
    const y = Array.from(test.label), s = y.map((_, k) => noisy(k));
    expect(f.auc).toBeCloseTo(auc(y, s), 12);
    expect(f.uauc).toBeCloseTo(uauc(Array.from(test.userIdx), y, s).uauc, 12);
    expect(f.lo!).toBeLessThan(f.auc!);
    expect(f.hi!).toBeGreaterThan(f.auc!);
    expect(f.uaucLo!).toBeLessThanOrEqual(f.uauc!);
    expect(f.uaucHi!).toBeGreaterThanOrEqual(f.uauc!);
    // warm rows of collm-code: the mask's rows, and AUC on exactly those
    const m = warmColdMasks(ds, test, 'collm-code');
    const warm = [...Array(n).keys()].filter((k) => m.warm[k] === 1);
    const fw = recs.find((r) => r.method === 'F' && r.definition === 'collm-code' && r.subset === 'warm')!;
    expect(fw.n).toBe(warm.length);
    expect(fw.positives).toBe(warm.reduce((a, k) => a + test.label[k]!, 0));
    expect(fw.auc).toBeCloseTo(auc(warm.map((k) => y[k]!), warm.map((k) => s[k]!)), 12);
  });

  it('uses the rows every run scored unless told otherwise, and is deterministic under a seed', () => {
    const half = [...Array(n).keys()].filter((k) => k % 2 === 0);
    const sampled = run('sampled', noisy, half);
    const common = warmColdReport(ds, [{ name: 'F', dir: fuzzy }, { name: 'S', dir: sampled }], opts);
    const [fAll, sAll] = [common[0]!, common[7]!];
    expect(fAll.n).toBe(half.length);
    expect(fAll).toEqual({ ...sAll, method: 'F', family: 'F' });
    const own = warmColdReport(ds, [{ name: 'F', dir: fuzzy }, { name: 'S', dir: sampled }], { ...opts, commonRows: false });
    expect(own[0]!.n).toBe(n);
    expect(own[7]!.n).toBe(half.length);
    expect(warmColdReport(ds, [{ name: 'F', dir: fuzzy }], opts)).toEqual(warmColdReport(ds, [{ name: 'F', dir: fuzzy }], opts));
  });

  it('leaves AUC null on a single-class subset and names unknown row ids', () => {
    const positives = [...Array(n).keys()].filter((k) => test.label[k] === 1);
    const onlyPos = run('only-pos', noisy, positives);
    const r = warmColdReport(ds, [{ name: 'O', dir: onlyPos }], { ...opts, definitions: ['cora'] });
    expect(r).toHaveLength(3);
    expect(r[0]!.auc).toBeNull();
    expect([r[0]!.lo, r[0]!.hi, r[0]!.uauc, r[0]!.users]).toEqual([null, null, null, 0]);
    const bad = path.join(root, 'bad');
    writeJsonAtomic(path.join(bad, 'scores.json'), { test: { rowId: [-5], logit: [0] } });
    expect(() => warmColdReport(ds, [{ name: 'B', dir: bad }], opts)).toThrow(/scored test row id -5/);
    expect(() => warmColdReport(ds, [], opts)).toThrow(/no runs/);
  });
});

describe('familyWinners', () => {
  const rec = (method: string, family: string, subset: 'warm' | 'cold', a: number | null, lo: number | null, hi: number | null): WarmColdRecord => ({
    method, family, definition: 'cora', subset, slice: `cora ${subset}`, n: 10, positives: 5, auc: a, lo, hi, uauc: null, uaucLo: null, uaucHi: null, users: 0,
  });
  const recs = [
    rec('MF', 'CF', 'warm', 0.7, 0.66, 0.74), rec('TALLRec', 'text', 'warm', 0.6, 0.55, 0.65), rec('base', 'text', 'warm', 0.5, 0.45, 0.55),
    rec('MF', 'CF', 'cold', 0.52, 0.45, 0.6), rec('TALLRec', 'text', 'cold', 0.58, 0.5, 0.66), rec('base', 'text', 'cold', null, null, null),
  ];

  it('picks the best method of each family and says whether the CIs are disjoint', () => {
    const w = familyWinners(recs);
    expect(w.map((r) => [r.subset, r.winner, r.winnerMethod, r.runnerUp, r.runnerUpMethod, r.separated])).toEqual([
      ['warm', 'CF', 'MF', 'text', 'TALLRec', true],
      ['cold', 'text', 'TALLRec', 'CF', 'MF', false],
    ]);
    expect(describeFamilyWinners(w)).toEqual([
      'cora / warm (n = 10): CF (MF, AUC 0.700 [0.660, 0.740]) over text (TALLRec, 0.600 [0.550, 0.650]); CIs disjoint',
      'cora / cold (n = 10): text (TALLRec, AUC 0.580 [0.500, 0.660]) over CF (MF, 0.520 [0.450, 0.600]); CIs overlap',
    ]);
  });

  it('compares only the families asked for', () => {
    const more = [...recs, rec('CoRA', 'text+CF', 'warm', 0.9, 0.85, 0.95)];
    expect(familyWinners(more)[0]!.winnerMethod).toBe('CoRA');
    expect(familyWinners(more, ['text', 'CF']).map((r) => `${r.winnerMethod}>${r.runnerUpMethod}`)).toEqual(['MF>TALLRec', 'TALLRec>MF']);
  });

  it('handles a single family and subsets without any AUC', () => {
    const w = familyWinners([rec('MF', 'CF', 'warm', 0.7, 0.6, 0.8), rec('MF', 'CF', 'cold', null, null, null)]);
    expect(w).toHaveLength(1);
    expect(w[0]!.runnerUp).toBeNull();
    expect(describeFamilyWinners(w)[0]).toMatch(/the only family with an AUC$/);
  });
});
