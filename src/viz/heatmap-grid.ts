// Matrices as heatmaps: cells of a (cropped, strided) row-major matrix, and a grid of heatmap panels
// sharing one colour axis (diverging and centred on 0 for signed matrices such as weight updates).
// Reference: plotly.js layout.coloraxis and subplot axis domains (https://plotly.com/javascript/reference/).
import { paperLayout, PAPER_STYLE, type FigureOptions, type HeatmapData, type PlotlyFigure, type PlotlyTrace } from './plotly';

/** A row-major matrix of plain numbers (e.g. a tensor's dataSync() with its shape). */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** [rows * cols] row-major values. */
  readonly data: ArrayLike<number>;
}

/** Which cells of a matrix a heatmap shows. */
export interface MatrixCrop {
  /** Most rows shown (default all), counted after striding. */
  readonly maxRows?: number;
  /** Most columns shown (default all), counted after striding. */
  readonly maxCols?: number;
  /** Keep every step-th row and column, starting at 0 (default 1). */
  readonly step?: number;
}

/** Heatmap cells of a matrix: rows/columns 0, step, 2*step, ... up to maxRows/maxCols of them, labelled by their index. @returns z [shownRows][shownCols] */
export function matrixHeatmap(m: DenseMatrix, crop: MatrixCrop = {}): HeatmapData {
  if (m.data.length !== m.rows * m.cols) throw new Error(`matrixHeatmap: data has ${m.data.length} values, ${m.rows} x ${m.cols} needs ${m.rows * m.cols}`);
  const step = crop.step ?? 1;
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`matrixHeatmap: step must be a positive integer, got ${step}`);
  const pick = (n: number, most: number | undefined) => Array.from({ length: Math.min(Math.ceil(n / step), most ?? Infinity) }, (_, k) => k * step);
  const rows = pick(m.rows, crop.maxRows), cols = pick(m.cols, crop.maxCols);
  return { z: rows.map((i) => cols.map((j) => m.data[i * m.cols + j]!)), x: cols, y: rows };
}

/** Blue (negative) - white (0) - red (positive), ColorBrewer RdBu stops. */
export const DIVERGING_SCALE: readonly (readonly [number, string])[] = Object.freeze([
  [0, '#2166ac'], [0.25, '#92c5de'], [0.5, '#f7f7f7'], [0.75, '#f4a582'], [1, '#b2182b'],
] as const);

/** One panel of a heatmap grid. */
export interface HeatmapPanel {
  /** Title written above the panel ('<br>' breaks lines). */
  readonly title: string;
  readonly heatmap: HeatmapData;
}

/** Options of heatmapGridFigure. */
export interface HeatmapGridOptions extends FigureOptions {
  /** Panels per row (default: all in one row). */
  readonly columns?: number;
  /** Colour-bar title; default none. */
  readonly zTitle?: string;
  /** plotly colour scale: a name or [position, colour] stops (default DIVERGING_SCALE when symmetric, else 'Viridis'). */
  readonly colorscale?: string | readonly (readonly [number, string])[];
  /** Colour range [-M, M] with M the largest |value| of all panels, white at 0 (default true). */
  readonly symmetric?: boolean;
  /** Gap between panels as a share of the figure (default 0.04). */
  readonly gap?: number;
}

/**
 * A grid of heatmaps (row-major panel order) on one shared colour axis, each panel with its own axes
 * (rows top to bottom, as a matrix is read) and a title above it.
 */
export function heatmapGridFigure(panels: readonly HeatmapPanel[], opts: HeatmapGridOptions): PlotlyFigure {
  if (panels.length === 0) throw new Error('heatmapGridFigure: no panels');
  const nCols = opts.columns ?? panels.length;
  if (!(Number.isInteger(nCols) && nCols >= 1)) throw new Error(`heatmapGridFigure: columns must be a positive integer, got ${nCols}`);
  const nRows = Math.ceil(panels.length / nCols), gap = opts.gap ?? 0.04, symmetric = opts.symmetric ?? true;
  let big = 0, lo = Infinity, hi = -Infinity;
  panels.forEach((p, i) => {
    if (p.heatmap.z.length !== p.heatmap.y.length) throw new Error(`heatmapGridFigure: panel ${i} has ${p.heatmap.z.length} rows of z but ${p.heatmap.y.length} y labels`);
    p.heatmap.z.forEach((row, r) => {
      if (row.length !== p.heatmap.x.length) throw new Error(`heatmapGridFigure: panel ${i} row ${r} has ${row.length} values but ${p.heatmap.x.length} x labels`);
      for (const v of row) if (v !== null) { big = Math.max(big, Math.abs(v)); lo = Math.min(lo, v); hi = Math.max(hi, v); }
    });
  });
  const base = paperLayout(opts);
  // panel titles of the first row sit in the top margin, under the figure title: one line each 16 px
  const lines = Math.max(...panels.slice(0, nCols).map((p) => p.title.split('<br>').length));
  const margin = base['margin'] as { t: number };
  const layout: Record<string, unknown> = { ...base, showlegend: false, margin: { ...margin, t: margin.t + 16 * lines } };
  delete layout['xaxis'];
  delete layout['yaxis'];
  const annotations: Record<string, unknown>[] = [];
  const data: PlotlyTrace[] = panels.map((p, i) => {
    const col = i % nCols, row = Math.floor(i / nCols), n = i === 0 ? '' : String(i + 1);
    const x0 = col / nCols + (col > 0 ? gap / 2 : 0), x1 = (col + 1) / nCols - (col < nCols - 1 ? gap / 2 : 0);
    const y1 = 1 - row / nRows - (row > 0 ? gap : 0), y0 = 1 - (row + 1) / nRows + (row < nRows - 1 ? gap : 0);
    layout[`xaxis${n}`] = { domain: [x0, x1], anchor: `y${n}`, showgrid: false, zeroline: false, ticks: 'outside', showline: true, linecolor: '#444' };
    layout[`yaxis${n}`] = { domain: [y0, y1], anchor: `x${n}`, showgrid: false, zeroline: false, ticks: 'outside', showline: true, linecolor: '#444', autorange: 'reversed' };
    annotations.push({ text: p.title, xref: 'paper', yref: 'paper', x: (x0 + x1) / 2, y: y1, xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: PAPER_STYLE.fontSize - 1 } });
    return { type: 'heatmap', z: p.heatmap.z.map((r) => [...r]), x: [...p.heatmap.x], y: [...p.heatmap.y], xaxis: `x${n}`, yaxis: `y${n}`, coloraxis: 'coloraxis' };
  });
  layout['annotations'] = [...(base['annotations'] as unknown[]), ...annotations];
  const range = symmetric ? { cmin: -big, cmax: big, cmid: 0 } : lo <= hi ? { cmin: lo, cmax: hi } : {};
  layout['coloraxis'] = {
    colorscale: typeof opts.colorscale === 'string' ? opts.colorscale : (opts.colorscale ?? (symmetric ? DIVERGING_SCALE : null))?.map(([p, c]) => [p, c]) ?? 'Viridis',
    ...range, colorbar: { title: { text: opts.zTitle ?? '' }, thickness: 14 },
  };
  return { data, layout };
}
