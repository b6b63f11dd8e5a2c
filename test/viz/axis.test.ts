// withYRange: fixes the y range, keeps the figure's other layout, adds a reference line labelled in the
// right margin (widened to fit), and rejects an empty range.
import { describe, expect, it } from 'vitest';
import { withYRange } from '../../src/viz/axis';
import { barFigure } from '../../src/viz/plotly';

describe('withYRange', () => {
  const fig = barFigure([{ name: 'a', x: ['x'], y: [0.6] }], { title: 'T', yTitle: 'AUC', vLines: [{ x: 'x', label: 'v' }] });

  it('sets the range and adds the reference line after the existing shapes', () => {
    const out = withYRange(fig, [0.4, 0.9], { y: 0.5, label: 'chance' });
    const y = out.layout['yaxis'] as { range: number[]; autorange: boolean; title: { text: string } };
    expect(y.range).toEqual([0.4, 0.9]);
    expect(y.autorange).toBe(false);
    expect(y.title.text).toBe('AUC');
    const shapes = out.layout['shapes'] as { y0?: number; yref?: string }[];
    expect(shapes).toHaveLength(2);
    expect(shapes[1]).toMatchObject({ yref: 'y', y0: 0.5, y1: 0.5 });
    const notes = out.layout['annotations'] as { text: string; x: number; xref: string; xanchor: string }[];
    expect(notes.map((a) => a.text)).toEqual(['v', 'chance']);
    // the label starts right of the plot area, in a right margin wide enough for it
    expect(notes[1]).toMatchObject({ x: 1, xref: 'paper', xanchor: 'left' });
    expect((out.layout['margin'] as { r: number }).r).toBeGreaterThanOrEqual(50);
    expect((out.layout['margin'] as { l: number }).l).toBe((fig.layout['margin'] as { l: number }).l);
    expect(out.data).toBe(fig.data);
    expect((fig.layout['yaxis'] as { range?: number[] }).range).toBeUndefined();
  });

  it('leaves shapes alone without a reference line and rejects an empty range', () => {
    expect(withYRange(fig, [0, 1]).layout['shapes']).toEqual(fig.layout['shapes']);
    expect(withYRange(fig, [0, 1]).layout['margin']).toEqual(fig.layout['margin']);
    expect(() => withYRange(fig, [0.5, 0.5])).toThrow(/lo < hi, got \[0.5, 0.5\]/);
  });
});
