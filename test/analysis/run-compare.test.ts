// Comparing finished runs: summary rows carry the result's numbers; DeLong between run folders looks
// labels up by row id, equals delongTest on the same vectors, and refuses runs scored on different rows.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/core/io';
import { subsetSplit } from '../../src/data/subset';
import { syntheticWorld } from '../../src/data/synthetic';
import { delongTest } from '../../src/metrics/delong';
import { delongBetweenRuns, recSummaryRows, runScores } from '../../src/analysis/run-compare';
import type { RecRunResult } from '../../src/runner/rec-experiment';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-compare-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const test = syntheticWorld('tiny').splits.test;

describe('run comparison', () => {
  it('recSummaryRows copies the headline numbers', () => {
    const r = {
      test: { auc: 0.7, aucCi: { lo: 0.65, hi: 0.75 }, uauc: 0.6, uaucCi: null, uaucUsers: 12, n: 100 },
      trainableParameters: 1234, scoringSamplesPerSecond: 50.5, meta: { wallSeconds: 9 },
    } as unknown as RecRunResult;
    expect(recSummaryRows([{ name: 'CoRA-MF', result: r }])).toEqual([{
      run: 'CoRA-MF', testAuc: 0.7, aucLo: 0.65, aucHi: 0.75, testUauc: 0.6, uaucLo: null, uaucHi: null, uaucUsers: 12, testRows: 100,
      trainableParameters: 1234, scoringSamplesPerSecond: 50.5, wallSeconds: 9,
    }]);
  });

  it('delongBetweenRuns tests the two runs\' scores on their shared rows with the dataset\'s labels', () => {
    const rows = Array.from({ length: 40 }, (_, i) => i * 3);
    const sub = subsetSplit(test, rows);
    const labels = Array.from(sub.label);
    const a = labels.map((y, i) => y + Math.sin(i)), b = labels.map((y, i) => 0.3 * y + Math.cos(i));
    const write = (name: string, logit: number[], rowId = Array.from(sub.rowId)) => {
      const dir = path.join(root, name);
      writeJsonAtomic(path.join(dir, 'scores.json'), { valid: { rowId: [], logit: [] }, test: { rowId, logit } });
      return dir;
    };
    const dA = write('a', a), dB = write('b', b);
    expect(runScores(dA).logit).toEqual(a);
    const got = delongBetweenRuns(dA, dB, test);
    expect(got).toEqual({ ...delongTest(labels, a, b), rows: 40 });
    const dC = write('c', a.slice(1), Array.from(sub.rowId).slice(1));
    expect(() => delongBetweenRuns(dA, dC, test)).toThrow(/different test rows/);
    const dD = write('d', a, Array.from(sub.rowId).map((id) => id + 10_000_000));
    expect(() => delongBetweenRuns(dD, dD, test)).toThrow(/row id 1\d{7} .* not in the given test split/);
    expect(() => runScores(path.join(root, 'none'))).toThrow(/scores\.json: not found/);
  });
});
