// The paper-scale rank ablation's estimate: runs per method from ranks x seeds, hours from the measured
// per-run seconds, and the resumable headless command with a timeout of twice the estimate in whole hours.
import { describe, expect, it } from 'vitest';
import { describeRankAblationEstimate, rankAblationEstimate } from '../../src/analysis/rank-ablation-cost';
import type { RankRecord } from '../../src/analysis/rank-ablation';

const rec = (method: string, runSeconds: number): RankRecord => ({
  method, label: method, rank: 8, log2Rank: 3, seed: 0, auc: 0.7, aucLo: 0.6, aucHi: 0.8, uauc: 0.6, uaucLo: 0.5, uaucHi: 0.7, params: 1, seconds: runSeconds, runSeconds, testRows: 10,
});

describe('rankAblationEstimate', () => {
  it('counts runs, sums hours from measured seconds and builds the command', () => {
    const e = rankAblationEstimate([rec('cora', 300), rec('cora', 360), rec('tallrec', 200)], { cora: [1, 2, 4], tallrec: [2, 32] }, 3);
    expect(e.rows).toEqual([{ method: 'cora', runs: 9, secondsPerRun: 330, seconds: 2970 }, { method: 'tallrec', runs: 6, secondsPerRun: 200, seconds: 1200 }]);
    expect(e.runs).toBe(15);
    expect(e.hours).toBeCloseTo(4170 / 3600, 10);
    // 1.16 h -> twice is 2.3 h -> 3 whole hours
    expect(e.command).toBe('CFLLM_RANK_ABLATION=run node scripts/run-notebooks.js --only 06 --scale paper --in-place --timeout 10800');
    expect(describeRankAblationEstimate(e)).toMatch(/^the paper-scale rank ablation needs 15 more ML-1M runs, about 1\.2 h .*\nTo train them: CFLLM_RANK_ABLATION=run /);
  });

  it('names a method without a measured run', () => {
    expect(() => rankAblationEstimate([rec('cora', 1)], { collm: [2] }, 1)).toThrow(/no measured run of collm/);
  });
});
