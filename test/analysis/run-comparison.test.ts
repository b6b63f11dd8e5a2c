// Comparison records: one per metric and subset, numbers equal to the metric functions on the same
// rows (warm/cold by the dataset's masks), runs aligned by row id in any order, and clear errors when
// the runs scored different rows or rows outside the split.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRunDirs, compareRuns, comparisonRows } from '../../src/analysis/run-comparison';
import { writeJsonAtomic } from '../../src/core/io';
import { syntheticWorld } from '../../src/data/synthetic';
import { delongTest } from '../../src/metrics/delong';
import { pairedUserBootstrap } from '../../src/metrics/paired-bootstrap';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-comparison-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const world = syntheticWorld('tiny');
const test = world.splits.test;
const rows = comparisonRows(world, 'test', 'cora');
const ids = Array.from(test.rowId);
const a = Array.from(test.label, (y, i) => y + Math.sin(i));
const b = Array.from(test.label, (y, i) => 0.3 * y + Math.cos(i));

describe('compareRuns', () => {
  it('gives auc and uauc records for all, warm and cold rows, equal to the metrics on those rows', () => {
    const recs = compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'B', rowId: ids, logit: b }, rows, { seed: 3, nResamples: 200 });
    expect(recs.map((r) => `${r.metric}/${r.subset}`)).toEqual(['auc/all', 'uauc/all', 'auc/warm', 'uauc/warm', 'auc/cold', 'uauc/cold']);
    for (const subset of ['all', 'warm', 'cold'] as const) {
      const keep = ids.map((_, i) => subset === 'all' || (subset === 'warm' ? rows.warm[i] === 1 : rows.cold[i] === 1));
      const pick = <T,>(v: ArrayLike<T>): T[] => Array.from(v).filter((_, i) => keep[i]);
      const u = pick(test.userIdx), y = pick(test.label), sa = pick(a), sb = pick(b);
      const boot = pairedUserBootstrap(u, y, sa, sb, { seed: 3, nResamples: 200 });
      const auc = recs.find((r) => r.metric === 'auc' && r.subset === subset)!;
      const ua = recs.find((r) => r.metric === 'uauc' && r.subset === subset)!;
      expect(auc).toMatchObject({ a: 'A', b: 'B', warmCold: 'cora', diff: boot.auc.diff, ci: boot.auc.ci, pUserBootstrap: boot.auc.pUserBootstrap, rows: y.length, nResamples: 200, seed: 3 });
      expect(auc.pDeLong).toBe(delongTest(y, sa, sb).pValue);
      expect(auc.nUsers).toBe(new Set(u).size);
      expect(ua).toMatchObject({ diff: boot.uauc!.diff, ci: boot.uauc!.ci, pUserBootstrap: boot.uauc!.pUserBootstrap, pDeLong: null });
    }
    expect(recs[2]!.rows + recs[4]!.rows).toBe(ids.length); // cora warm/cold partition the split
  });

  it('aligns the runs by row id, whatever order they were written in', () => {
    const rev = ids.map((_, i) => ids.length - 1 - i);
    const recs = compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'B', rowId: rev.map((i) => ids[i]!), logit: rev.map((i) => b[i]!) }, rows, { nResamples: 50, subsets: ['all'] });
    const ref = compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'B', rowId: ids, logit: b }, rows, { nResamples: 50, subsets: ['all'] });
    expect(recs).toEqual(ref);
  });

  it('identical runs: diff 0 and both p-values 1', () => {
    const recs = compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'A2', rowId: ids, logit: a }, rows, { nResamples: 50, subsets: ['all'] });
    for (const r of recs) {
      expect(r.diff).toBe(0);
      expect(r.pUserBootstrap).toBe(1);
    }
    expect(recs[0]!.pDeLong).toBe(1);
  });

  it('refuses runs scored on different rows, or on rows outside the split', () => {
    expect(() => compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'B', rowId: ids.slice(1), logit: b.slice(1) }, rows))
      .toThrow(new RegExp(`A and B scored different rows \\(${ids.length} vs ${ids.length - 1}; 1 only in A, e.g. row id ${ids[0]}; 0 only in B\\)`));
    const far = ids.map((id) => id + 10_000_000);
    expect(() => compareRuns({ name: 'A', rowId: far, logit: a }, { name: 'B', rowId: far, logit: b }, rows)).toThrow(/row id 1\d{7} scored by A is not among/);
    expect(() => compareRuns({ name: 'A', rowId: [ids[0]!, ids[0]!], logit: [0, 1] }, { name: 'B', rowId: ids, logit: b }, rows)).toThrow(/twice/);
  });
});

describe('compareRunDirs', () => {
  it('reads both folders\' scores.json and compares on the dataset\'s split', () => {
    const write = (name: string, logit: number[]) => {
      const dir = path.join(root, name);
      writeJsonAtomic(path.join(dir, 'scores.json'), { valid: { rowId: [], logit: [] }, test: { rowId: ids, logit } });
      return dir;
    };
    const got = compareRunDirs({ name: 'A', dir: write('a', a) }, { name: 'B', dir: write('b', b) }, world, { nResamples: 50 });
    expect(got).toEqual(compareRuns({ name: 'A', rowId: ids, logit: a }, { name: 'B', rowId: ids, logit: b }, rows, { nResamples: 50 }));
  });
});
