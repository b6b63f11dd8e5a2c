// Display tables: rounding touches only non-integer numbers, and the danfojs config sizes each column
// to its widest cell so DataFrame.print shows every row and column without padding to 17 characters.
import { describe, expect, it } from 'vitest';
import { splitSummaryRows, type SplitSummaryRow } from '../../src/analysis/summaries';
import { danfoTableConfig, roundRecords } from '../../src/viz/tables';

describe('display tables', () => {
  it('roundRecords rounds non-integers only and keeps the row type', () => {
    const rows: SplitSummaryRow[] = splitSummaryRows({ train: { userIdx: [0], itemIdx: [1], label: [1], timestamp: [0], histOffsets: [0, 0] } });
    const out: SplitSummaryRow[] = roundRecords(rows.map((r) => ({ ...r, positiveShare: 2 / 3, historyMean: 1 / 7 })), 2);
    expect(out[0]).toMatchObject({ split: 'train', rows: 1, positiveShare: 0.67, historyMean: 0.14, from: '1970-01-01' });
    expect(roundRecords([{ a: 1.23456, b: 'x', c: 10 }])).toEqual([{ a: 1.235, b: 'x', c: 10 }]);
  });

  it('danfoTableConfig: widths from the widest cell, numbers right-aligned, all rows and columns shown', () => {
    const rows = [{ split: 'train', rows: 14920 }, { split: 'validSmall', rows: 3 }];
    const cfg = danfoTableConfig(rows) as { tableMaxRow: number; tableMaxColInConsole: number; tableDisplayConfig: { columns: Record<number, unknown>; drawHorizontalLine: (l: number, n: number) => boolean } };
    expect(cfg.tableMaxRow).toBe(3);
    expect(cfg.tableMaxColInConsole).toBe(3);
    expect(cfg.tableDisplayConfig.columns).toEqual({ 0: { width: 1, alignment: 'right' }, 1: { width: 'validSmall'.length, alignment: 'left' }, 2: { width: 5, alignment: 'right' } });
    expect([0, 1, 2, 3].map((l) => cfg.tableDisplayConfig.drawHorizontalLine(l, 3))).toEqual([true, true, false, true]);
  });
});
