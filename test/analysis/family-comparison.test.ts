// The paired family head-to-head: each winner against its runner-up on the rows every run scored, the
// difference equal to the two AUCs' difference there and to compareRuns on those rows; a clear winner
// is significant, a near-copy is not; a run that scored a sample restricts the rows; sentences state it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { noisyScore, scoredRunFolder } from './helpers';
import { describePairedFamilyWinners, pairedFamilyWinners } from '../../src/analysis/family-comparison';
import { comparisonRows, compareRuns } from '../../src/analysis/run-comparison';
import { familyWinners, warmColdReport } from '../../src/analysis/warm-cold-report';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-family-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const ds = loadDataset('synthetic-tiny');
const test = ds.splits.test;
const n = test.label.length;

const run = (name: string, f: (k: number) => number, rows?: readonly number[]): string => scoredRunFolder(root, test, name, f, rows);
const noisy = noisyScore(test);
const opts = { seed: 3, nResamples: 300 };

describe('pairedFamilyWinners', () => {
  const runs = [
    { name: 'good', dir: run('good', (k) => test.label[k]! + Math.sin(k * 7.1) * 0.6), family: 'CF' },
    { name: 'fuzzy', dir: run('fuzzy', noisy), family: 'text' },
    { name: 'fuzzy-copy', dir: run('fuzzy-copy', (k) => noisy(k) + Math.cos(k * 3.3) * 0.05), family: 'metadata' },
  ];

  it('tests each winner against its runner-up on the same rows, as compareRuns does', () => {
    const report = warmColdReport(ds, runs, opts);
    const rows = pairedFamilyWinners(ds, runs, familyWinners(report), opts);
    const all = rows.find((r) => r.definition === 'all')!;
    expect(all.winnerMethod).toBe('good');
    expect(all.pairedRows).toBe(n);
    expect(all.diff).toBeCloseTo(all.winnerAuc - all.runnerUpAuc!, 12);
    const direct = compareRuns({ name: 'a', rowId: Array.from(test.rowId), logit: [...Array(n).keys()].map((k) => test.label[k]! + Math.sin(k * 7.1) * 0.6) },
      { name: 'b', rowId: Array.from(test.rowId), logit: [...Array(n).keys()].map((k) => (all.runnerUpMethod === 'fuzzy' ? noisy(k) : noisy(k) + Math.cos(k * 3.3) * 0.05)) },
      comparisonRows(ds, 'test', 'cora'), { ...opts, subsets: ['all'] }).find((c) => c.metric === 'auc')!;
    expect([all.diff, all.diffLo, all.diffHi, all.pUserBootstrap, all.pDeLong]).toEqual([direct.diff, direct.ci![0], direct.ci![1], direct.pUserBootstrap, direct.pDeLong]);
    expect(all.diffLo!).toBeGreaterThan(0);
    expect(all.pUserBootstrap!).toBeLessThan(0.05);
    // cold rows of a definition: the subset's rows only
    const cold = rows.find((r) => r.definition === 'collm-code' && r.subset === 'cold')!;
    expect(cold.pairedRows).toBe(cold.n);
  });

  it('finds a near-copy not significantly different, and says so', () => {
    const two = runs.slice(1);
    const rows = pairedFamilyWinners(ds, two, familyWinners(warmColdReport(ds, two, opts)), opts);
    const all = rows.find((r) => r.definition === 'all')!;
    expect(Math.abs(all.diff!)).toBeLessThan(0.02);
    expect(all.pUserBootstrap!).toBeGreaterThan(0.05);
    expect(describePairedFamilyWinners([all])[0]).toMatch(/^all test rows \(n = \d+, \d+ paired\): .* p = [\d.]+ \(user bootstrap, not significant at 0.05\), DeLong p = /);
    const clear = pairedFamilyWinners(ds, runs, familyWinners(warmColdReport(ds, runs, opts)), opts).find((r) => r.definition === 'all')!;
    expect(describePairedFamilyWinners([clear])[0]).toMatch(/, p (< 0\.001|= 0\.0[0-4]\d) \(user bootstrap, significant at 0.05\), DeLong p (< 0\.001|= [\d.]+)$/);
  });

  it('uses only the rows every run scored when one run scored a sample', () => {
    const sample = [...Array(n).keys()].filter((k) => k % 3 !== 0);
    const some = [runs[0]!, { name: 'sampled', dir: run('sampled', noisy, sample), family: 'text' }];
    const report = warmColdReport(ds, some, opts);
    const all = pairedFamilyWinners(ds, some, familyWinners(report), opts).find((r) => r.definition === 'all')!;
    expect(all.pairedRows).toBe(sample.length);
    expect(all.n).toBe(sample.length);
  });

  it('names a method it has no run for', () => {
    const w = familyWinners(warmColdReport(ds, runs, opts));
    expect(() => pairedFamilyWinners(ds, runs.slice(0, 2).map((r, i) => (i === 0 ? { ...r, name: 'other' } : r)), w, opts)).toThrow(/no run named "good"/);
  });
});
