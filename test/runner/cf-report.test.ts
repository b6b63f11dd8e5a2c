// CF test table: per model mean / sd over seeds, warm and cold under the chosen definition, the paper's
// row beside it (none for a model it lacks), and the long form for the bar figure.
import { describe, expect, it } from 'vitest';
import type { RowMetrics } from '../../src/runner/evaluate';
import { cfTestBars, cfTestRows, type CFReportRun } from '../../src/runner/cf-report';
import { COLLM_PAPER_ML1M } from '../../src/runner/tables';

const m = (a: number | null, u: number | null): RowMetrics => ({ n: 10, posRate: 0.5, auc: a, uauc: u, uaucUsers: 4, logLoss: 0.6 });
const run = (model: CFReportRun['model'], seed: number, a: number, u: number, warm: number, cold: number | null): CFReportRun => ({
  model, seed,
  test: { ...m(a, u), warmCold: { cora: { warm: m(warm, u), cold: m(cold, null) }, 'collm-code': { warm: m(0, 0), cold: m(0, 0) }, 'collm-paper': { warm: m(0, 0), cold: m(0, 0) } } },
  meta: { wallSeconds: 10 + seed }, training: { bestEpoch: seed, epochsRun: 5 },
});

describe('cfTestRows', () => {
  it('averages seeds per model in order of appearance, with the paper row beside', () => {
    const rows = cfTestRows([run('sasrec', 0, 0.6, 0.55, 0.62, 0.5), run('mf', 0, 0.64, 0.6, 0.66, null), run('mf', 1, 0.66, 0.62, 0.68, null)], 'cora');
    expect(rows.map((r) => r.model)).toEqual(['SASRec', 'MF']);
    const mf = rows[1]!;
    expect(mf.seeds).toBe(2);
    expect(mf.auc).toBeCloseTo(0.65, 12);
    expect(mf.aucSd).toBeCloseTo(Math.sqrt(((0.64 - 0.65) ** 2 + (0.66 - 0.65) ** 2) / 1), 12);
    expect(mf.uauc).toBeCloseTo(0.61, 12);
    expect(mf.warmAuc).toBeCloseTo(0.67, 12);
    expect(mf.coldAuc).toBeNull();
    expect(mf.paperAuc).toBe(COLLM_PAPER_ML1M.mf.auc);
    expect(mf.paperUauc).toBe(COLLM_PAPER_ML1M.mf.uauc);
    expect([mf.bestEpoch, mf.epochsRun, mf.wallSeconds, mf.users]).toEqual([0.5, 5, 10.5, 4]);
    expect(rows[0]!.aucSd).toBe(0);
    expect(cfTestRows([run('mf', 0, 0.6, 0.6, 0.6, 0.6)], 'cora', {})[0]!.paperAuc).toBeNull();
  });

  it('lays the rows out as bars: kit then paper, AUC then UAUC; sd bands only over several seeds', () => {
    const rows = cfTestRows([run('mf', 0, 0.64, 0.6, 0.66, null), run('mf', 1, 0.66, 0.62, 0.68, null), run('din', 0, 0.7, 0.65, 0.7, 0.6)], 'cora', { mf: { auc: 0.6482, uauc: 0.6361 } });
    const bars = cfTestBars(rows);
    expect(bars.map((b) => `${b.series}|${b.model}`)).toEqual([
      'AUC (kit)|MF', 'AUC (kit)|DIN', 'AUC (CoLLM paper)|MF',
      'UAUC (kit)|MF', 'UAUC (kit)|DIN', 'UAUC (CoLLM paper)|MF',
    ]);
    expect(bars[0]!.lo).toBeCloseTo(0.65 - rows[0]!.aucSd!, 12);
    expect(bars[1]!.lo).toBeNull();
    expect(bars[2]).toEqual({ model: 'MF', series: 'AUC (CoLLM paper)', value: 0.6482, lo: null, hi: null });
  });
});
