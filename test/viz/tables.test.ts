// Display tables: rounding touches only non-integer numbers; the HTML table has one column per key
// (union, first-seen order), escapes text, right-aligns numeric columns, and showTable sends it to the sink.
import { describe, expect, it } from 'vitest';
import { splitSummaryRows, type SplitSummaryRow } from '../../src/analysis/summaries';
import { roundRecords, showTable, tableHtml } from '../../src/viz/tables';

describe('display tables', () => {
  it('roundRecords rounds non-integers only and keeps the row type', () => {
    const rows: SplitSummaryRow[] = splitSummaryRows({ train: { userIdx: [0], itemIdx: [1], label: [1], timestamp: [0], histOffsets: [0, 0] } });
    const out: SplitSummaryRow[] = roundRecords(rows.map((r) => ({ ...r, positiveShare: 2 / 3, historyMean: 1 / 7 })), 2);
    expect(out[0]).toMatchObject({ split: 'train', rows: 1, positiveShare: 0.67, historyMean: 0.14, from: '1970-01-01' });
    expect(roundRecords([{ a: 1.23456, b: 'x', c: 10 }])).toEqual([{ a: 1.235, b: 'x', c: 10 }]);
  });

  it('tableHtml: a header of all keys, a row index, rounded and escaped cells, numbers right-aligned', () => {
    const html = tableHtml([{ method: 'CoRA <MF>', auc: 0.712345, n: 3 }, { method: 'MF', auc: null, extra: [1, 2] }], { digits: 2, caption: 'Test & valid' });
    const cells = (tag: string) => [...html.matchAll(new RegExp(`<${tag} style="text-align:(\\w+)[^"]*">([^<]*)</${tag}>`, 'g'))].map((m) => `${m[1]}:${m[2]}`);
    expect(cells('th')).toEqual(['right:', 'left:method', 'right:auc', 'right:n', 'left:extra', 'right:0', 'right:1']);
    expect(cells('td')).toEqual(['left:CoRA &lt;MF&gt;', 'right:0.71', 'right:3', 'left:—', 'left:MF', 'right:—', 'right:—', 'left:1, 2']);
    expect(html).toContain('<caption style="text-align:left">Test &amp; valid</caption>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it('showTable sends HTML to the sink, or a note for no rows', () => {
    const out: string[] = [];
    const sink = { html: (s: string) => out.push(`html:${s.slice(0, 6)}`), png: () => undefined, text: (s: string) => out.push(`text:${s}`) };
    showTable([{ a: 1 }], { sink });
    showTable([], { sink, caption: 'runs' });
    expect(out).toEqual(['html:<table', 'text:runs: (no rows)']);
  });
});
