// The rank ablation: each run's settings (rank, alpha = 2r, budget, CoLLM's same-rank TALLRec stage),
// reuse of finished runs without training, and finished runs as plain records (CIs, parameters and
// seconds, CoLLM counting both stages) plus the cost estimate of a plan.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath, projectRoot, storedPath } from '../../src/core/paths';
import { TALLREC_LORA } from '../../src/rec/text-methods';
import {
  describeRankAuc, finishedSuiteRankRuns, RANK_ALPHA_RATIO, rankAblationCost, rankAblationExtra, rankAblationPlan, rankAblationRecords, rankMetricPoints, rankTag, runRank, suiteRankRun, type RankRecord,
} from '../../src/analysis/rank-ablation';
import type { RecRunResult } from '../../src/runner/rec-experiment';
import { SUITE_BUDGETS, suiteRecExperiment, suiteRunDir } from '../../src/runner/suite';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-rank-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const budget = { train: { maxEpochs: 1, itersPerEpoch: 2 }, testRows: 40 };

/** A result.json with just what the records read. */
function fakeResult(config: RecRunResult['config'], o: { auc: number; ci: number; params: number; wall: number }): RecRunResult {
  const test = { n: 40, auc: o.auc, uauc: o.auc - 0.05, aucCi: { lo: o.auc - o.ci, hi: o.auc + o.ci }, uaucCi: null };
  return { kind: 'rec-run', method: config.method, seed: config.seed, config, trainableParameters: o.params, test, meta: { wallSeconds: o.wall } } as unknown as RecRunResult;
}

function writeResult(dir: string, r: RecRunResult): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify(r));
}

describe('rank ablation runs', () => {
  it('tags runs r<rank> and rejects ranks that are not positive integers', () => {
    expect(rankTag(4)).toBe('r4');
    expect(() => rankTag(0)).toThrow(/positive integer \(got 0\)/);
    expect(() => rankTag(2.5)).toThrow(/got 2.5/);
  });

  it('sets CoRA rank and alpha = 2r, LoRA r and alpha over TALLRec\'s LoRA, and the budget over the scale\'s', () => {
    expect(RANK_ALPHA_RATIO).toBe(2);
    const cora = rankAblationExtra('smoke', 'cora', 4, 0, budget, { runsRoot: tmp });
    expect(cora.tag).toBe('r4');
    const e = suiteRecExperiment('smoke', 'cora', 'mf', 0, cora, { runsRoot: tmp });
    expect(e.options).toMatchObject({ preset: 'kit', rank: 4, alpha: 8 });
    expect(e.train).toEqual({ ...SUITE_BUDGETS.smoke.recTrain, maxEpochs: 1, itersPerEpoch: 2 });
    expect(e.testRows).toBe(40);
    expect(e.validRows).toBe(SUITE_BUDGETS.smoke.validRows);
    const t = suiteRecExperiment('smoke', 'tallrec', null, 0, rankAblationExtra('smoke', 'tallrec', 32, 0, { testRows: undefined }, { runsRoot: tmp }), { runsRoot: tmp });
    expect(t.options['lora']).toEqual({ ...TALLREC_LORA, r: 32, alpha: 64 });
    expect(t.testRows).toBe(SUITE_BUDGETS.smoke.testRows);
  });

  it('gives CoLLM the TALLRec run of the same rank as its stage 1', () => {
    const x = rankAblationExtra('smoke', 'collm', 2, 1, {}, { runsRoot: tmp });
    expect(x.config?.stage1RunDir).toBe(storedPath(suiteRunDir('smoke', 'tallrec-r2-s1', { runsRoot: tmp })));
    expect(x.config?.options?.['lora']).toMatchObject({ r: 2, alpha: 4 });
  });

  it('keeps the stage-1 folder when runs live in the project and the working folder is another (a notebook\'s)', () => {
    const inside = path.join(projectRoot(), 'results', 'notebooks');
    const cwd = process.cwd();
    process.chdir(path.join(projectRoot(), 'notebooks'));
    try {
      const exp = suiteRecExperiment('smoke', 'collm', 'mf', 1, rankAblationExtra('smoke', 'collm', 2, 1, {}, { runsRoot: inside }), { runsRoot: inside });
      expect(projectPath(exp.stage1RunDir!)).toBe(suiteRunDir('smoke', 'tallrec-r2-s1', { runsRoot: inside }));
      expect(exp.stage1RunDir!.startsWith('results/')).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reuses finished runs without training and attaches CoLLM\'s stage-1 result', async () => {
    const opts = { runsRoot: tmp };
    const tal = fakeResult(suiteRecExperiment('smoke', 'tallrec', null, 0, rankAblationExtra('smoke', 'tallrec', 2, 0, budget, opts), opts), { auc: 0.6, ci: 0.1, params: 100, wall: 3 });
    const col = fakeResult(suiteRecExperiment('smoke', 'collm', 'mf', 0, rankAblationExtra('smoke', 'collm', 2, 0, budget, opts), opts), { auc: 0.7, ci: 0.1, params: 10, wall: 2 });
    writeResult(suiteRunDir('smoke', 'tallrec-r2-s0', opts), tal);
    writeResult(suiteRunDir('smoke', 'collm-mf-r2-s0', opts), col);
    const lines: string[] = [];
    const run = await suiteRankRun('smoke', 'collm', 2, 0, budget, { ...opts, onProgress: (l) => lines.push(l) });
    expect(lines.every((l) => /reusing the finished run/.test(l))).toBe(true);
    expect(run.dir).toBe(suiteRunDir('smoke', 'collm-mf-r2-s0', opts));
    expect(run.stage1?.trainableParameters).toBe(100);
  });

  it('finds the plain suite runs of a scale (CoLLM with its TALLRec stage) and skips missing ones', () => {
    const opts = { runsRoot: tmp };
    const base = suiteRecExperiment('default', 'tallrec', null, 3, {}, opts);
    writeResult(suiteRunDir('default', 'tallrec-s3', opts), fakeResult(base, { auc: 0.6, ci: 0.01, params: 50, wall: 7 }));
    writeResult(suiteRunDir('default', 'collm-mf-s3', opts), fakeResult({ ...base, method: 'collm' }, { auc: 0.7, ci: 0.01, params: 5, wall: 4 }));
    const runs = finishedSuiteRankRuns('default', [3, 4], opts);
    expect(runs.map((r) => path.basename(r.dir))).toEqual(['synthetic-tallrec-s3', 'synthetic-collm-mf-s3']);
    expect(runs[1]!.stage1?.trainableParameters).toBe(50);
  });
});

describe('rank ablation plan', () => {
  it('lists runs seed by seed, methods in key order, ranks as given', () => {
    expect(rankAblationPlan({ cora: [1, 8], collm: [2] }, [0, 1])).toEqual([
      { method: 'cora', rank: 1, seed: 0 }, { method: 'cora', rank: 8, seed: 0 }, { method: 'collm', rank: 2, seed: 0 },
      { method: 'cora', rank: 1, seed: 1 }, { method: 'cora', rank: 8, seed: 1 }, { method: 'collm', rank: 2, seed: 1 },
    ]);
  });
});

describe('rank ablation records', () => {
  const base = suiteRecExperiment('smoke', 'tallrec', null, 0);
  const cora = (rank: number | undefined, seed = 0) => ({ ...base, method: 'cora' as const, seed, options: rank === undefined ? {} : { rank, alpha: 2 * rank } });
  const lora = (method: 'tallrec' | 'collm', r: number) => ({ ...base, method, options: { lora: { ...TALLREC_LORA, r, alpha: 2 * r } } });

  it('reads the rank of CoRA (default 8) and of LoRA runs', () => {
    expect(runRank(fakeResult(cora(undefined), { auc: 0.5, ci: 0, params: 0, wall: 0 }))).toBe(8);
    expect(runRank(fakeResult(cora(64), { auc: 0.5, ci: 0, params: 0, wall: 0 }))).toBe(64);
    expect(runRank(fakeResult(lora('tallrec', 2), { auc: 0.5, ci: 0, params: 0, wall: 0 }))).toBe(2);
  });

  it('gives AUC/UAUC with CIs, parameters and seconds, ordered CoRA, TALLRec, CoLLM by rank; CoLLM adds its stage 1', () => {
    const t2 = fakeResult(lora('tallrec', 2), { auc: 0.55, ci: 0.05, params: 1000, wall: 30 });
    const recs = rankAblationRecords([
      { result: fakeResult(lora('collm', 2), { auc: 0.6, ci: 0.05, params: 200, wall: 20 }), stage1: t2 },
      { result: t2 },
      { result: fakeResult(cora(4), { auc: 0.7, ci: 0.02, params: 4000, wall: 50 }) },
      { result: fakeResult(cora(1), { auc: 0.65, ci: 0.03, params: 1000, wall: 40 }) },
    ]);
    expect(recs.map((r) => `${r.method}:${r.rank}`)).toEqual(['cora:1', 'cora:4', 'tallrec:2', 'collm:2']);
    expect(recs[1]).toMatchObject({ method: 'cora', label: 'CoRA', rank: 4, log2Rank: 2, seed: 0, auc: 0.7, params: 4000, seconds: 50, runSeconds: 50, testRows: 40, uaucLo: null, uaucHi: null });
    expect(recs[1]!.aucLo).toBeCloseTo(0.68, 12);
    expect(recs[1]!.aucHi).toBeCloseTo(0.72, 12);
    expect(recs[1]!.uauc).toBeCloseTo(0.65, 12);
    expect(recs[3]).toMatchObject({ method: 'collm', params: 1200, seconds: 50, runSeconds: 20 });
  });

  it('estimates a plan\'s wall time from the mean runSeconds of each method\'s measured runs', () => {
    const recs = rankAblationRecords([
      { result: fakeResult(cora(8, 0), { auc: 0.7, ci: 0, params: 1, wall: 100 }) },
      { result: fakeResult(cora(8, 1), { auc: 0.7, ci: 0, params: 1, wall: 200 }) },
      { result: fakeResult(lora('tallrec', 8), { auc: 0.6, ci: 0, params: 1, wall: 60 }) },
    ]);
    const cost = rankAblationCost(recs, { cora: [1, 2, 4], tallrec: [2, 32] }, 3);
    expect(cost).toEqual([
      { method: 'cora', runs: 9, secondsPerRun: 150, seconds: 9 * 150 },
      { method: 'tallrec', runs: 6, secondsPerRun: 60, seconds: 6 * 60 },
    ]);
    expect(() => rankAblationCost(recs, { collm: [2] }, 1)).toThrow(/no measured run of collm/);
  });
});

describe('rank metric points', () => {
  it('gives AUC and UAUC points per method with CIs, dodged symmetrically around log2(rank), null metrics left out', () => {
    const rec = (method: string, rank: number, uauc: number | null) => ({
      method, label: method === 'cora' ? 'CoRA' : 'TALLRec', rank, log2Rank: Math.log2(rank), seed: 0, auc: 0.6, aucLo: 0.5, aucHi: 0.7, uauc, uaucLo: null, uaucHi: null, params: 1, seconds: 1, runSeconds: 1, testRows: 10,
    });
    const pts = rankMetricPoints([rec('cora', 1, 0.55), rec('cora', 4, 0.56), rec('tallrec', 2, null)], 0.1);
    expect([...new Set(pts.map((p) => p.series))]).toEqual(['CoRA AUC', 'CoRA UAUC', 'TALLRec AUC']);
    expect(pts[0]).toEqual({ series: 'CoRA AUC', method: 'cora', metric: 'AUC', rank: 1, x: -0.1, value: 0.6, lo: 0.5, hi: 0.7 });
    expect(pts.find((p) => p.series === 'CoRA UAUC' && p.rank === 4)).toMatchObject({ x: 2, value: 0.56, lo: null, hi: null });
    expect(pts.find((p) => p.series === 'TALLRec AUC')!.x).toBeCloseTo(1.1, 12);
  });

  it('says which ranks leave chance and which differ, from the intervals', () => {
    const rec = (label: string, rank: number, lo: number, hi: number, seed = 0): RankRecord => ({
      method: label.toLowerCase(), label, rank, log2Rank: Math.log2(rank), seed, auc: (lo + hi) / 2, aucLo: lo, aucHi: hi,
      uauc: null, uaucLo: null, uaucHi: null, params: 1, seconds: 1, runSeconds: 1, testRows: 10,
    });
    const lines = describeRankAuc([rec('CoRA', 1, 0.41, 0.49), rec('CoRA', 4, 0.48, 0.58), rec('CoRA', 8, 0.54, 0.64), rec('CoRA', 8, 0.9, 0.95, 1), rec('TALLRec', 2, 0.45, 0.55)]);
    expect(lines).toEqual([
      'CoRA (seed 0, 3 ranks): AUC interval above chance at r = 8; containing 0.5 at r = 4; below chance at r = 1; disjoint intervals between ranks: r 1 vs 8',
      'TALLRec (seed 0, 1 ranks): AUC interval above chance at r = none; containing 0.5 at r = 2; disjoint intervals between ranks: none',
    ]);
  });
});

