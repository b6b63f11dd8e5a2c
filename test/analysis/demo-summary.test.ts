// The demo summary evaluates every run on the same sampled test rows (CF runs scored on the full split
// are cut to the sample) and compares the story's pairs with the user bootstrap.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoSummary } from '../../src/analysis/demo-summary';
import { writeJsonAtomic } from '../../src/core/io';
import { makeRng } from '../../src/core/rng';
import { sampleSplit } from '../../src/data/subset';
import { syntheticWorld } from '../../src/data/synthetic';
import { auc } from '../../src/metrics/auc';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-demo-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ds = syntheticWorld('tiny');
const sample = sampleSplit(ds.splits.test, 60, 3);

function fake(name: string, split: typeof sample, strength: number): { name: string; dir: string; trainableParameters: number | null; wallSeconds: number } {
  const rng = makeRng(strength * 1000);
  const d = path.join(dir, name);
  writeJsonAtomic(path.join(d, 'scores.json'), { test: { rowId: Array.from(split.rowId), logit: Array.from(split.label, (y) => y * strength + rng.normal()) } });
  return { name, dir: d, trainableParameters: null, wallSeconds: 1 };
}

describe('demoSummary', () => {
  it('cuts full-split CF scores to the LLM sample and compares the pairs present', () => {
    const runs = [fake('MF', ds.splits.test, 1), fake('TALLRec', sample, 0.2), fake('CoRA-MF', sample, 3)];
    const { rows, comparisons } = demoSummary(ds, sample, runs, { nResamples: 200 });
    expect(rows.map((r) => r.rows)).toEqual([60, 60, 60]);
    const full = JSON.parse(fs.readFileSync(path.join(dir, 'MF', 'scores.json'), 'utf8')) as { test: { rowId: number[]; logit: number[] } };
    const onSample = Array.from(sample.rowId, (id) => full.test.logit[full.test.rowId.indexOf(id)]!);
    expect(rows[0]!.test.auc).toBeCloseTo(auc(Array.from(sample.label), onSample), 12);
    expect([...new Set(comparisons.map((c) => `${c.a}|${c.b}`))]).toEqual(['CoRA-MF|TALLRec', 'CoRA-MF|MF']);
    const c = comparisons.find((x) => x.a === 'CoRA-MF' && x.b === 'TALLRec' && x.metric === 'auc' && x.subset === 'all')!;
    expect(c.diff!).toBeGreaterThan(0);
  });

  it('names a run that did not score a sampled row', () => {
    const other = sampleSplit(ds.splits.test, 60, 4);
    expect(() => demoSummary(ds, sample, [fake('CoLLM-MF', other, 1)])).toThrow(/CoLLM-MF has no score for test row id/);
  });
});
