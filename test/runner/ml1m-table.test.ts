// The comparison table: t-intervals over seeds, grouping and labels, DeLong p-values.
import { describe, expect, it } from 'vitest';
import { formatMl1mTable, maxDelongP, meanCi, type TableRecord } from '../../src/runner/ml1m-table';

const r = (method: string, cf: string | null, seed: number, auc: number): TableRecord => ({
  method, cf, seed, trainableParameters: 10, wallSeconds: 2 * seed + 1,
  test: { auc, uauc: auc - 0.01, warmAuc: auc + 0.01, coldAuc: null, uaucUsers: 224 },
});

describe('ML-1M comparison table', () => {
  it('gives mean ± t(0.975, n-1) sd / sqrt(n)', () => {
    // values 0.6, 0.62, 0.64: mean 0.62, sd 0.02, t(2) = 4.303 -> half-width 0.0497
    expect(meanCi([0.6, 0.62, 0.64])).toBe(`0.6200 ± ${(4.303 * 0.02 / Math.sqrt(3)).toFixed(4)}`);
    expect(meanCi([0.61])).toBe('0.6100');
    expect(meanCi([null])).toBe('n/a');
  });
  it('groups seeds per method and backbone and reports p-values', () => {
    const t = formatMl1mTable([r('mf', null, 0, 0.64), r('mf', null, 1, 0.65), r('cora', 'lightgcn', 0, 0.7), r('collm', 'mf', 0, 0.68)], { 'CoRA-lightgcn vs CoLLM-lightgcn': 0.03 });
    expect(t).toContain('| MF | 2 | 0.6450 ± ');
    expect(t).toContain('| CoRA-LightGCN | 1 | 0.7000 | 0.6900 | 0.7100 | n/a | 10 | — | 1 |');
    expect(t).toContain('| CoLLM-MF | 1 |');
    expect(t).toContain('CoRA-lightgcn vs CoLLM-lightgcn: p 0.0300');
  });
  it('averages scoring throughput over seeds and leaves it empty for CF rows', () => {
    const t = formatMl1mTable([{ ...r('tallrec', null, 0, 0.6), scoringSamplesPerSecond: 12.5 }, { ...r('tallrec', null, 1, 0.6), scoringSamplesPerSecond: 7.5 }, r('mf', null, 0, 0.6)], {});
    expect(t).toMatch(/\| TALLRec \| 2 \| .* \| 10 \| 10\.0 \| 2 \|/);
    expect(t).toMatch(/\| MF \| 1 \| .* \| 10 \| — \| 1 \|/);
  });
  it('takes the largest DeLong p over seeds', () => {
    const labels = [0, 0, 1, 1, 0, 1];
    const good = [0.1, 0.2, 0.8, 0.9, 0.3, 0.7], noisy = [0.5, 0.2, 0.4, 0.9, 0.6, 0.7];
    const p1 = maxDelongP([{ labels, a: good, b: noisy }])!;
    const p2 = maxDelongP([{ labels, a: good, b: good }])!;
    expect(p2).toBe(1);
    expect(maxDelongP([{ labels, a: good, b: noisy }, { labels, a: good, b: good }])).toBe(Math.max(p1, p2));
    expect(maxDelongP([])).toBeNull();
  });
});
