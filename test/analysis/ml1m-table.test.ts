// The headline table from finished run folders (fake runs on the synthetic-tiny world): one record per
// run in the shared format, per-seed and pooled comparisons of the planned pairs (a stronger run beats a
// weaker one; identical runs give diff 0, p = 1), the README table with t-intervals and paper numbers,
// the missing runs of a partial table, and refusal of a folder that holds another experiment.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMl1mTable, comparisonPairs, comparisonVerdict, formatMl1mTable, meanCi, ml1mReadmeSection } from '../../src/analysis/ml1m-table';
import { writeJsonAtomic } from '../../src/core/io';
import { makeRng } from '../../src/core/rng';
import { syntheticWorld } from '../../src/data/synthetic';
import { evaluateSplit } from '../../src/runner/evaluate';
import type { CFExperimentConfig } from '../../src/runner/cf-experiment';
import type { PlannedRun } from '../../src/runner/ml1m-plan';
import type { RecExperimentConfig } from '../../src/runner/rec-config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-table-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const ds = syntheticWorld('tiny');
const test = ds.splits.test;

const meta = (seed: number) => ({
  startedAt: '2026-12-07T00:00:00Z', wallSeconds: 100 + seed, seed, backend: { name: 'wasm', matmulPath: 'xnnpack', kernelPatches: [], tfjsVersion: '4.22.0', skipped: [] },
  versions: { node: 'v20', tfjs: '4.22.0', kit: '0.1.0' }, gitCommit: 'a'.repeat(40), gitDirty: false, codeHash: 'c0de', codeConsistent: true, datasetHash: 'd', llmHash: 'l', processes: [], host: { cpu: 'x', cores: 2, platform: 'linux-x64' },
});

/** Writes a finished run whose logits are label * strength + seeded noise. */
function fakeRun(p: PlannedRun, strength: number): void {
  const rng = makeRng(p.seed * 31 + Math.round(strength * 100));
  const logit = Float32Array.from(test.label, (y) => y * strength + rng.normal());
  const dir = path.join(root, 'results', 'runs', p.name);
  writeJsonAtomic(path.join(dir, 'scores.json'), { test: { rowId: Array.from(test.rowId), logit: Array.from(logit) } });
  const evalBlock = evaluateSplit(ds, 'test', logit);
  const common = { seed: p.seed, meta: meta(p.seed), test: evalBlock };
  if (p.kind === 'cf') {
    writeJsonAtomic(path.join(dir, 'result.json'), { ...common, kind: 'cf-run', model: 'mf', config: p.cf, data: { rows: { train: 1000 } }, training: { epochsRun: 3, history: [{ epoch: 0 }] } });
  } else {
    writeJsonAtomic(path.join(dir, 'result.json'), {
      ...common, kind: 'rec-run', method: p.name.split('-')[0], cf: p.row.includes('MF') ? 'mf' : null, config: p.rec,
      trainableParameters: 1234, samplesSeen: 800, stepsTrained: 50, warmupSteps: 5, scoringSamplesPerSecond: 40 + p.seed, training: { history: [{ epoch: 0 }, { epoch: 1 }] },
    });
  }
}

/** A planned run whose experiment is the little the table reads of it (the fake runs store it as their config). */
const planned = (name: string, row: string, seed: number, kind: 'cf' | 'rec'): PlannedRun => ({
  name: `${name}-s${seed}`, row, seed, kind, dependsOn: [],
  cf: kind === 'cf' ? ({ model: name, seed } as unknown as CFExperimentConfig) : null,
  rec: kind === 'rec' ? ({ method: name.split('-')[0], options: row.startsWith('CoRA') ? { preset: 'kit' } : {}, seed, llmDir: 'models/adapted' } as unknown as RecExperimentConfig) : null,
});

describe('the ML-1M table from finished runs', () => {
  const plan: PlannedRun[] = [];
  for (const seed of [0, 1, 2]) {
    plan.push(planned('mf', 'MF', seed, 'cf'), planned('tallrec', 'TALLRec', seed, 'rec'), planned('collm-mf', 'CoLLM-MF', seed, 'rec'), planned('cora-mf', 'CoRA-MF', seed, 'rec'));
    fakeRun(plan.at(-4)!, 1.0);
    fakeRun(plan.at(-3)!, 0.3);
    fakeRun(plan.at(-2)!, 1.0);
    fakeRun(plan.at(-1)!, 2.5);
  }
  // the knowledge ablation with one seed only: compared on that seed
  plan.push(planned('tallrec-plain', 'TALLRec (plain LLM)', 0, 'rec'));
  fakeRun(plan.at(-1)!, 0);
  plan.push(planned('cora-lightgcn', 'CoRA-LightGCN', 0, 'rec'));
  const t = buildMl1mTable(plan, ds, root, 200);

  it('records every finished run in the shared format and lists the missing ones', () => {
    expect(t.runs).toHaveLength(13);
    expect(t.meta.missing).toEqual(['cora-lightgcn-s0']);
    expect(t.meta.codeHashes).toEqual(['c0de']);
    expect(t.meta.allClean).toBe(true);
    const cora = t.runs.find((r) => r.name === 'cora-mf-s1')!;
    expect(cora).toMatchObject({ row: 'CoRA-MF', method: 'cora', cf: 'mf', seed: 1, preset: 'kit', trainableParameters: 1234, samplesSeen: 800, stepsTrained: 50, warmupSteps: 5, wallSeconds: 101 });
    expect(cora.meta).toMatchObject({ gitCommit: 'a'.repeat(40), gitDirty: false, codeHash: 'c0de', backend: 'wasm', matmulPath: 'xnnpack', datasetHash: 'd', llmHash: 'l' });
    expect(cora.warm.n + cora.cold.n).toBe(test.label.length);
    expect(t.runs.find((r) => r.name === 'mf-s0')!.samplesSeen).toBe(3000);
  });

  it('compares the planned pairs per seed and pooled, users as clusters', () => {
    expect(comparisonPairs(new Set(['MF', 'TALLRec', 'CoLLM-MF', 'CoRA-MF']))).toEqual([['CoRA-MF', 'CoLLM-MF'], ['CoLLM-MF', 'TALLRec'], ['CoRA-MF', 'TALLRec'], ['CoLLM-MF', 'MF'], ['CoRA-MF', 'MF'], ['TALLRec', 'MF']]);
    // the row labels the plan gives BinLLM, its code model, the content baseline and the ablation rows
    expect(comparisonPairs(new Set(['BinLLM', 'CoLLM-MF', 'TALLRec', 'Hash-MF (BinLLM codes)', 'MF', 'content baseline', 'base LLM', 'CoRA-MF (plain LLM)', 'CoRA-MF']))).toEqual([
      ['CoRA-MF', 'CoLLM-MF'], ['CoLLM-MF', 'TALLRec'], ['CoRA-MF', 'TALLRec'], ['CoLLM-MF', 'MF'], ['CoRA-MF', 'MF'], ['BinLLM', 'CoLLM-MF'], ['BinLLM', 'TALLRec'],
      ['BinLLM', 'Hash-MF (BinLLM codes)'], ['TALLRec', 'MF'], ['content baseline', 'MF'], ['TALLRec', 'content baseline'], ['TALLRec', 'base LLM'], ['CoRA-MF', 'CoRA-MF (plain LLM)'],
    ]);
    const c = t.comparisons.filter((x) => x.a === 'CoRA-MF' && x.b === 'CoLLM-MF' && x.metric === 'auc' && x.subset === 'all');
    expect(c.map((x) => x.seed)).toEqual([0, 1, 2, 'pooled']);
    const pooled = c.find((x) => x.seed === 'pooled')!;
    expect(pooled.diff!).toBeGreaterThan(0.05);
    expect(pooled.ci![0]).toBeGreaterThan(0);
    expect(pooled.pUserBootstrap!).toBeLessThan(0.05);
    expect(pooled.rows).toBe(3 * test.label.length);
    // the same logits (CoLLM-MF and MF share strength and seed stream) give no difference
    const same = t.comparisons.find((x) => x.a === 'CoLLM-MF' && x.b === 'MF' && x.metric === 'auc' && x.subset === 'all' && x.seed === 0)!;
    expect(same.diff).toBe(0);
    expect(same.pUserBootstrap).toBe(1);
    expect(t.comparisons.every((x) => x.metric === 'uauc' ? x.pDeLong === null : true)).toBe(true);
  });

  it('formats the README table with t-intervals over seeds and paper numbers', () => {
    const table = formatMl1mTable(t);
    const aucs = t.runs.filter((r) => r.row === 'CoRA-MF').map((r) => r.test.auc);
    expect(table).toContain(`| CoRA-MF | 3 | ${meanCi(aucs)} |`);
    expect(table).toContain('| 0.7361 / 0.6884 | 1234 | 800 | 41.0 | 101 |');
    expect(table).toMatch(/\| MF \| 3 \| .* \| 0\.6482 \/ 0\.6361 \| — \| 3000 \| — \| 101 \|/);
    const section = ml1mReadmeSection(t);
    expect(section).toContain('**Partial:** 1 planned runs have not finished');
    expect(section).toContain('LLM rows on `models/adapted` (the "(plain LLM)" rows on the unadapted one).');
    // pooled over the three shared seeds, with the verdict; the same logits show no difference
    expect(section).toMatch(/- CoRA-MF − CoLLM-MF, all rows, AUC: \+0\.\d{4} \[0\.\d{4}, 0\.\d{4}\], p = .* \(user bootstrap\), .* \(DeLong, rows\): CoRA-MF ahead\n/);
    expect(section).toMatch(/- CoLLM-MF − MF, all rows, AUC: \+0\.0000 .*: no difference shown/);
    expect(section).toMatch(/- CoLLM-MF − MF, all rows, UAUC: /);
    expect(section).not.toMatch(/warm rows, UAUC/);
    // one shared seed: that seed's line
    expect(section).toMatch(/- TALLRec − TALLRec \(plain LLM\), cold rows, AUC \(seed 0\): [+-]0\.\d{4} /);
    expect(section.match(/TALLRec − TALLRec \(plain LLM\)/g)).toHaveLength(4);
    expect(comparisonVerdict({ a: 'x', b: 'y', ci: [-0.2, -0.01] })).toBe('y ahead');
    expect(comparisonVerdict({ a: 'x', b: 'y', ci: null })).toBe('not computed');
  });

  it('says plainly that the table is not run when no run has finished', () => {
    const none = buildMl1mTable([planned('cora-lightgcn', 'CoRA-LightGCN', 0, 'rec')], ds, root, 10);
    expect(ml1mReadmeSection(none)).toBe('Not yet run at the current code: none of the 1 planned runs has finished (`npm run ml1m-table -- --plan`).');
  });

  it('refuses a run folder that holds another experiment than the plan\'s', () => {
    const other = { ...plan[1]!, rec: { ...plan[1]!.rec!, seed: 9 } };
    expect(() => buildMl1mTable([plan[0]!, other], ds, root, 10)).toThrow(/1 run folder\(s\) hold a different experiment than the plan's .*tallrec-s0/);
  });
});
