// Figure builders: traces carry the given points, axes carry the given titles, and every figure shares
// the paper layout (size, font, white background); bad inputs fail with the offending values.
import { describe, expect, it } from 'vitest';
import { barFigure, heatmapFigure, lineFigure, PAPER_STYLE, recordsToSeries, scatterFigure } from '../../src/viz/plotly';

const series = [{ name: 'train', x: ['2000-01-15', '2000-02-15'], y: [10, 20] }, { name: 'test', x: ['2000-01-15', '2000-02-15'], y: [1, 2] }];
const axisTitle = (layout: Record<string, unknown>, key: string) => (layout[key] as { title: { text: string } }).title.text;

describe('plotly figure builders', () => {
  it('lineFigure: one scatter trace per series with lines+markers, titled axes, paper size and font', () => {
    const fig = lineFigure(series, { title: 'T', xTitle: 'month', yTitle: 'rows' });
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0]).toMatchObject({ type: 'scatter', mode: 'lines+markers', name: 'train', x: ['2000-01-15', '2000-02-15'], y: [10, 20] });
    expect(fig.data[1]).toMatchObject({ name: 'test', y: [1, 2] });
    expect(fig.layout['title']).toMatchObject({ text: 'T' });
    expect(axisTitle(fig.layout, 'xaxis')).toBe('month');
    expect(axisTitle(fig.layout, 'yaxis')).toBe('rows');
    expect(fig.layout).toMatchObject({ width: PAPER_STYLE.width, height: PAPER_STYLE.height, paper_bgcolor: 'white', plot_bgcolor: 'white' });
    expect(fig.layout['font']).toMatchObject({ family: PAPER_STYLE.fontFamily, size: PAPER_STYLE.fontSize });
    expect(lineFigure(series, { title: 'T', markers: false }).data[0]!['mode']).toBe('lines');
  });

  it('figures are plain JSON and do not alias the input arrays', () => {
    const fig = lineFigure(series, { title: 'T' });
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
    expect(fig.data[0]!['y']).not.toBe(series[0]!.y);
  });

  it('barFigure: grouped by default, stacked on request, horizontal swaps x and y', () => {
    expect(barFigure(series, { title: 'B' }).layout['barmode']).toBe('group');
    const stacked = barFigure(series, { title: 'B', stacked: true });
    expect(stacked.layout['barmode']).toBe('stack');
    expect(stacked.data.map((t) => t.type)).toEqual(['bar', 'bar']);
    const h = barFigure([{ name: 'auc', x: ['MF', 'CoLLM'], y: [0.7, 0.8] }], { title: 'H', horizontal: true });
    expect(h.data[0]).toMatchObject({ orientation: 'h', x: [0.7, 0.8], y: ['MF', 'CoLLM'] });
  });

  it('scatterFigure: markers only, hover text kept', () => {
    const fig = scatterFigure([{ name: 'users', x: [1, 2], y: [3, 4], text: ['u1', 'u2'] }], { title: 'S', markerSize: 4 });
    expect(fig.data[0]).toMatchObject({ type: 'scatter', mode: 'markers', text: ['u1', 'u2'], marker: { size: 4 } });
  });

  it('vLines become dashed paper-height shapes with a label each', () => {
    const fig = lineFigure(series, { title: 'T', vLines: [{ x: '2000-02-01 00:00', label: 'test starts' }] });
    expect(fig.layout['shapes']).toEqual([expect.objectContaining({ type: 'line', x0: '2000-02-01 00:00', x1: '2000-02-01 00:00', yref: 'paper', y0: 0, y1: 1, line: expect.objectContaining({ dash: 'dash' }) })]);
    expect(fig.layout['annotations']).toEqual([expect.objectContaining({ x: '2000-02-01 00:00', text: 'test starts' })]);
  });

  it('logY makes the y axis logarithmic', () => {
    expect((lineFigure(series, { title: 'T', logY: true }).layout['yaxis'] as { type: string }).type).toBe('log');
    expect((lineFigure(series, { title: 'T' }).layout['yaxis'] as { type: string }).type).toBe('-');
  });

  it('heatmapFigure: z, labels, category axes, optional cell values', () => {
    const fig = heatmapFigure({ z: [[0.1, 0.2], [0.3, null]], x: ['auc', 'uauc'], y: ['MF', 'CoLLM'] }, { title: 'H', zTitle: 'score', showValues: true, valueFormat: '.2f' });
    expect(fig.data[0]).toMatchObject({ type: 'heatmap', z: [[0.1, 0.2], [0.3, null]], x: ['auc', 'uauc'], y: ['MF', 'CoLLM'], texttemplate: '%{z:.2f}', colorscale: 'Viridis' });
    expect(fig.layout['xaxis']).toMatchObject({ type: 'category' });
    expect(fig.layout['yaxis']).toMatchObject({ type: 'category', autorange: 'reversed' });
    expect(() => heatmapFigure({ z: [[1, 2, 3]], x: ['a', 'b'], y: ['r'] }, { title: 'H' })).toThrow(/row 0 has 3 values but there are 2 x labels/);
  });

  it('rejects series whose x and y lengths differ, and empty input', () => {
    expect(() => lineFigure([{ name: 'bad', x: [1, 2, 3], y: [1] }], { title: 'T' })).toThrow(/"bad" has 3 x values but 1 y values/);
    expect(() => barFigure([], { title: 'T' })).toThrow(/no series/);
  });

  it('recordsToSeries groups rows by a key in order of appearance', () => {
    const rows = [{ epoch: 1, auc: 0.6, model: 'MF' }, { epoch: 1, auc: 0.65, model: 'CoLLM' }, { epoch: 2, auc: 0.7, model: 'MF' }];
    expect(recordsToSeries(rows, { x: 'epoch', y: 'auc', group: 'model' })).toEqual([
      { name: 'MF', x: [1, 2], y: [0.6, 0.7] }, { name: 'CoLLM', x: [1], y: [0.65] }]);
    expect(recordsToSeries(rows, { x: 'epoch', y: 'auc' })).toEqual([{ name: 'auc', x: [1, 1, 2], y: [0.6, 0.65, 0.7] }]);
    expect(() => recordsToSeries([{ a: 1, b: 'x' }], { x: 'a', y: 'b' })).toThrow(/row 0 has b = x/);
  });
});

describe('legend placement', () => {
  it('puts the legend in a row above the plot by default and in a column right of it on request (it cannot reach the title there)', () => {
    const top = lineFigure(series, { title: 't' }).layout['legend'] as Record<string, unknown>;
    expect(top).toMatchObject({ orientation: 'h', y: 1.02, yanchor: 'bottom' });
    const right = lineFigure(series, { title: 't', legend: 'right' }).layout['legend'] as Record<string, unknown>;
    expect(right).toMatchObject({ orientation: 'v', x: 1.02, xanchor: 'left', y: 1, yanchor: 'top' });
  });
});
