// Panel line figures: one x/y axis pair per panel, side by side; a series keeps its colour and has one
// legend entry; bad inputs fail with the offending values.
import { describe, expect, it } from 'vitest';
import { panelLineFigure } from '../../src/viz/panels';
import { PAPER_STYLE } from '../../src/viz/plotly';

const s = (name: string, y: number[]) => ({ name, x: y.map((_, i) => i), y });

describe('panelLineFigure', () => {
  it('puts each panel on its own axes, side by side, with shared colours and one legend entry per series', () => {
    const fig = panelLineFigure([
      { title: 'train loss', yTitle: 'BCE', series: [s('TALLRec', [0.7, 0.6]), s('CoLLM', [0.65, 0.5])] },
      { title: 'valid AUC', yTitle: 'AUC', series: [s('TALLRec', [0.6, 0.62]), s('CoLLM', [0.63, 0.66])] },
    ], { title: 'curves', xTitle: 'epoch' });
    expect(fig.data.map((t) => [t['name'], t['xaxis'], t['yaxis'], t['showlegend']])).toEqual([
      ['TALLRec', 'x', 'y', true], ['CoLLM', 'x', 'y', true], ['TALLRec', 'x2', 'y2', false], ['CoLLM', 'x2', 'y2', false],
    ]);
    const colour = (i: number) => (fig.data[i]!['line'] as { color: string }).color;
    expect([colour(0), colour(1)]).toEqual([PAPER_STYLE.colorway[0], PAPER_STYLE.colorway[1]]);
    expect(colour(2)).toBe(colour(0));
    const l = fig.layout as Record<string, { domain?: number[]; anchor?: string; title?: { text: string } }>;
    expect(l['xaxis']!.domain).toEqual([0, 0.45]);
    expect(l['xaxis2']!.domain![0]).toBeCloseTo(0.55, 12);
    expect(l['xaxis2']!.domain![1]).toBeCloseTo(1, 12);
    expect([l['yaxis2']!.anchor, l['yaxis2']!.title!.text, l['xaxis2']!.title!.text]).toEqual(['x2', 'AUC', 'epoch']);
    expect((fig.layout['annotations'] as { text: string }[]).map((a) => a.text)).toEqual(['<b>train loss</b>', '<b>valid AUC</b>']);
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
    expect(l['xaxis2']).not.toHaveProperty('dtick');
    const ticked = panelLineFigure([{ title: 'a', series: [s('A', [1])] }], { title: 'T', xDtick: 1 });
    expect(ticked.layout['xaxis']).toMatchObject({ dtick: 1 });
  });
  it('rejects no panels and ragged series', () => {
    expect(() => panelLineFigure([], { title: 'T' })).toThrow(/no panels/);
    expect(() => panelLineFigure([{ title: 'p', series: [{ name: 'a', x: [1, 2], y: [1] }] }], { title: 'T' })).toThrow(/"a" has 2 x values but 1 y/);
  });
});
