// Error bars on the plotly builders: absolute ends (yLo, yHi) become plotly's asymmetric error_y
// (distances above and below y), from series or from record fields; mismatched inputs fail by name.
import { describe, expect, it } from 'vitest';
import { barFigure, lineFigure, recordsToSeries, scatterFigure } from '../../src/viz/plotly';

describe('error bars', () => {
  const s = { name: 'cora', x: [0, 1], y: [0.6, 0.7], yLo: [0.55, 0.62], yHi: [0.66, 0.71] };

  it('lineFigure turns yLo / yHi into asymmetric error_y distances', () => {
    const e = lineFigure([s], { title: 'T' }).data[0]!['error_y'] as { type: string; symmetric: boolean; array: number[]; arrayminus: number[] };
    expect(e.type).toBe('data');
    expect(e.symmetric).toBe(false);
    expect(e.array[0]).toBeCloseTo(0.66 - 0.6, 12);
    expect(e.array[1]).toBeCloseTo(0.71 - 0.7, 12);
    expect(e.arrayminus[0]).toBeCloseTo(0.6 - 0.55, 12);
    expect(e.arrayminus[1]).toBeCloseTo(0.7 - 0.62, 12);
  });

  it('scatter and vertical bars get them too; series without bounds get none', () => {
    expect(scatterFigure([s], { title: 'T' }).data[0]!['error_y']).toBeDefined();
    expect(barFigure([s], { title: 'T' }).data[0]!['error_y']).toBeDefined();
    expect(lineFigure([{ name: 'a', x: [0], y: [1] }], { title: 'T' }).data[0]!['error_y']).toBeUndefined();
  });

  it('rejects one-sided or wrongly sized bounds', () => {
    expect(() => lineFigure([{ name: 'a', x: [0], y: [1], yLo: [0] }], { title: 'T' })).toThrow(/series "a" has only one of yLo \/ yHi/);
    expect(() => lineFigure([{ name: 'a', x: [0, 1], y: [1, 2], yLo: [0], yHi: [2] }], { title: 'T' })).toThrow(/series "a" has 2 y values but 1 yLo \/ 1 yHi/);
  });

  it('recordsToSeries reads lo / hi fields per group; a null end draws no bar on that side', () => {
    const rows = [
      { m: 'cora', r: 0, auc: 0.6, lo: 0.5, hi: 0.7 },
      { m: 'tallrec', r: 0, auc: 0.5, lo: null, hi: 0.55 },
      { m: 'cora', r: 1, auc: 0.65, lo: 0.6, hi: 0.7 },
    ];
    const out = recordsToSeries(rows, { x: 'r', y: 'auc', group: 'm', lo: 'lo', hi: 'hi' });
    expect(out).toEqual([
      { name: 'cora', x: [0, 1], y: [0.6, 0.65], yLo: [0.5, 0.6], yHi: [0.7, 0.7] },
      { name: 'tallrec', x: [0], y: [0.5], yLo: [0.5], yHi: [0.55] },
    ]);
    expect(recordsToSeries(rows, { x: 'r', y: 'auc', group: 'm' })[0]).toEqual({ name: 'cora', x: [0, 1], y: [0.6, 0.65] });
    expect(() => recordsToSeries(rows, { x: 'r', y: 'auc', lo: 'lo' })).toThrow(/both lo and hi/);
  });
});
