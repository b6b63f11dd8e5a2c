// Matrix heatmaps: cropping and striding keep the right cells with their indices; the grid puts each
// panel on its own axes in a row-major layout, all on one colour axis centred on 0.
import { describe, expect, it } from 'vitest';
import { DIVERGING_SCALE, heatmapGridFigure, matrixHeatmap } from '../../src/viz/heatmap-grid';

// 3 x 4, value = 10 * row + col
const m = { rows: 3, cols: 4, data: Float32Array.from({ length: 12 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4)) };

describe('matrixHeatmap', () => {
  it('keeps all cells by default, labelled by row and column index', () => {
    expect(matrixHeatmap(m)).toEqual({ z: [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]], x: [0, 1, 2, 3], y: [0, 1, 2] });
  });
  it('crops to the top-left block and strides', () => {
    expect(matrixHeatmap(m, { maxRows: 2, maxCols: 3 })).toEqual({ z: [[0, 1, 2], [10, 11, 12]], x: [0, 1, 2], y: [0, 1] });
    expect(matrixHeatmap(m, { step: 2 })).toEqual({ z: [[0, 2], [20, 22]], x: [0, 2], y: [0, 2] });
    expect(matrixHeatmap(m, { step: 2, maxCols: 1 })).toEqual({ z: [[0], [20]], x: [0], y: [0, 2] });
  });
  it('rejects a wrong data length and a bad step', () => {
    expect(() => matrixHeatmap({ rows: 2, cols: 2, data: [1, 2, 3] })).toThrow(/3 values, 2 x 2 needs 4/);
    expect(() => matrixHeatmap(m, { step: 0 })).toThrow(/step must be a positive integer/);
  });
});

describe('heatmapGridFigure', () => {
  const a = matrixHeatmap(m), b = matrixHeatmap({ rows: 1, cols: 2, data: [-40, 5] });
  it('puts each panel on its own axes, row-major, with titles and one symmetric colour axis', () => {
    const fig = heatmapGridFigure([{ title: 'A', heatmap: a }, { title: 'B', heatmap: b }, { title: 'C', heatmap: a }], { title: 'grid', columns: 2, zTitle: 'Δw' });
    expect(fig.data.map((t) => [t['xaxis'], t['yaxis'], t['coloraxis']])).toEqual([['x', 'y', 'coloraxis'], ['x2', 'y2', 'coloraxis'], ['x3', 'y3', 'coloraxis']]);
    expect(fig.data[1]).toMatchObject({ type: 'heatmap', z: [[-40, 5]], x: [0, 1], y: [0] });
    const L = fig.layout as Record<string, { domain: number[]; autorange?: string }>;
    // panel 1 top-left, panel 2 top-right, panel 3 bottom-left
    expect(L['xaxis']!.domain[0]).toBe(0);
    expect(L['xaxis2']!.domain[1]).toBe(1);
    expect(L['xaxis3']!.domain).toEqual(L['xaxis']!.domain);
    expect(L['yaxis']!.domain[1]).toBe(1);
    expect(L['yaxis3']!.domain[0]).toBe(0);
    expect(L['yaxis3']!.domain[1]).toBeLessThan(L['yaxis']!.domain[0]!);
    expect(L['yaxis']!.autorange).toBe('reversed');
    expect(fig.layout['coloraxis']).toMatchObject({ cmin: -40, cmax: 40, cmid: 0, colorscale: DIVERGING_SCALE.map(([p, c]) => [p, c]), colorbar: { title: { text: 'Δw' } } });
    expect((fig.layout['annotations'] as { text: string }[]).map((t) => t.text)).toEqual(['A', 'B', 'C']);
    // the top margin grows by one line per line of the first row's panel titles
    const t1 = (fig.layout['margin'] as { t: number }).t;
    const two = heatmapGridFigure([{ title: 'A<br>a', heatmap: a }, { title: 'B', heatmap: b }], { title: 'grid', columns: 2 });
    expect((two.layout['margin'] as { t: number }).t).toBe(t1 + 16);
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });
  it('spans the data range when not symmetric, and checks panel shapes', () => {
    const fig = heatmapGridFigure([{ title: 'A', heatmap: a }], { title: 'one', symmetric: false });
    expect(fig.layout['coloraxis']).toMatchObject({ cmin: 0, cmax: 23, colorscale: 'Viridis' });
    expect(heatmapGridFigure([{ title: 'A', heatmap: a }], { title: 'named', colorscale: 'Cividis' }).layout['coloraxis']).toMatchObject({ colorscale: 'Cividis', cmid: 0 });
    expect(() => heatmapGridFigure([], { title: 'none' })).toThrow(/no panels/);
    expect(() => heatmapGridFigure([{ title: 'bad', heatmap: { z: [[1, 2]], x: [0], y: [0] } }], { title: 'x' })).toThrow(/panel 0 row 0 has 2 values but 1 x labels/);
  });
});
