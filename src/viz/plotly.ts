// Plain records -> plotly figures ({ data, layout } JSON) with one paper-friendly look: white
// background, titled axes, a colour-blind-safe palette, fixed size. No tensors, no DOM.
// Reference: plotly.js figure reference (https://plotly.com/javascript/reference/).

/** An x value: a number, a category, or a date string ('2000-03-15', '2000-03-15 12:00'). */
export type Datum = number | string;

/** One plotly trace (scatter, bar, heatmap, ...): plotly's own keys. */
export interface PlotlyTrace {
  /** plotly trace type, e.g. 'scatter', 'bar', 'heatmap'. */
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A plotly figure: traces plus layout, JSON-serialisable. */
export interface PlotlyFigure {
  readonly data: readonly PlotlyTrace[];
  readonly layout: Readonly<Record<string, unknown>>;
}

/** One named series of points. */
export interface Series {
  /** Legend entry. */
  readonly name: string;
  /** [n] x values. */
  readonly x: readonly Datum[];
  /** [n] y values. */
  readonly y: readonly number[];
  /** [n] optional hover labels. */
  readonly text?: readonly string[];
  /** [n] optional lower and upper ends of error bars (e.g. a 95% CI), in y units; both or neither (line, scatter and vertical bar figures). */
  readonly yLo?: readonly number[];
  readonly yHi?: readonly number[];
}

/** A labelled vertical reference line (e.g. a split boundary). */
export interface VLine {
  /** Where on the x axis. */
  readonly x: Datum;
  /** Label written at the top of the line. */
  readonly label: string;
}

/** Options every builder takes. */
export interface FigureOptions {
  /** Figure title (also what exported SVGs contain; required). */
  readonly title: string;
  /** x-axis title; default none. */
  readonly xTitle?: string;
  /** y-axis title; default none. */
  readonly yTitle?: string;
  /** Width in px (default 640). */
  readonly width?: number;
  /** Height in px (default 400). */
  readonly height?: number;
  /** Log-scaled y axis (default false). */
  readonly logY?: boolean;
  /** Dashed vertical lines with labels; default none. */
  readonly vLines?: readonly VLine[];
  /** Legend in a row above the plot ('top', default) or in a column right of it ('right': for many or long entries, which would wrap over the title). */
  readonly legend?: 'top' | 'right';
}

/** The look shared by all figures. */
export const PAPER_STYLE = {
  /** CSS font stack; DejaVu Sans is what Debian's headless chromium has when Arial is absent. */
  fontFamily: 'Arial, Helvetica, DejaVu Sans, sans-serif',
  fontSize: 12,
  width: 640,
  height: 400,
  /** Okabe-Ito colour-blind-safe palette. */
  colorway: ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'],
} as const;

function axis(title: string | undefined, log = false): Record<string, unknown> {
  return {
    title: { text: title ?? '' },
    type: log ? 'log' : '-',
    showline: true, linecolor: '#444', linewidth: 1, mirror: false,
    ticks: 'outside', tickcolor: '#444', gridcolor: '#e6e6e6', zeroline: false, automargin: true,
  };
}

/** The shared layout for `opts`: title, axis titles, font, size, legend above the plot (or right of it), vertical lines. */
export function paperLayout(opts: FigureOptions): Record<string, unknown> {
  const vLines = opts.vLines ?? [];
  return {
    title: { text: opts.title, x: 0.01, xanchor: 'left', font: { size: PAPER_STYLE.fontSize + 2 } },
    font: { family: PAPER_STYLE.fontFamily, size: PAPER_STYLE.fontSize, color: '#222' },
    width: opts.width ?? PAPER_STYLE.width,
    height: opts.height ?? PAPER_STYLE.height,
    margin: { l: 64, r: 24, t: 72, b: 56 },
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    colorway: [...PAPER_STYLE.colorway],
    xaxis: axis(opts.xTitle),
    yaxis: axis(opts.yTitle, opts.logY),
    legend: opts.legend === 'right'
      ? { orientation: 'v', traceorder: 'normal', x: 1.02, xanchor: 'left', y: 1, yanchor: 'top' }
      : { orientation: 'h', traceorder: 'normal', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom' },
    shapes: vLines.map((v) => ({ type: 'line', xref: 'x', yref: 'paper', x0: v.x, x1: v.x, y0: 0, y1: 1, line: { color: '#555', width: 1, dash: 'dash' } })),
    annotations: vLines.map((v) => ({ x: v.x, xref: 'x', y: 1, yref: 'paper', text: v.label, showarrow: false, xanchor: 'left', yanchor: 'top', bgcolor: 'rgba(255,255,255,0.85)', font: { size: PAPER_STYLE.fontSize - 1, color: '#555' } })),
  };
}

function checkSeries(series: readonly Series[], what: string): void {
  if (series.length === 0) throw new Error(`${what}: no series`);
  for (const s of series) {
    if (s.x.length !== s.y.length) throw new Error(`${what}: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    if (!s.yLo !== !s.yHi) throw new Error(`${what}: series "${s.name}" has only one of yLo / yHi (error bars need both)`);
    if (s.yLo && (s.yLo.length !== s.y.length || s.yHi!.length !== s.y.length)) throw new Error(`${what}: series "${s.name}" has ${s.y.length} y values but ${s.yLo.length} yLo / ${s.yHi!.length} yHi`);
  }
}

/** plotly's asymmetric error bars from the absolute ends yLo/yHi. */
function errorY(s: Series): Record<string, unknown> {
  if (!s.yLo || !s.yHi) return {};
  const hi = s.yHi, lo = s.yLo;
  return { error_y: { type: 'data', symmetric: false, array: s.y.map((y, i) => hi[i]! - y), arrayminus: s.y.map((y, i) => y - lo[i]!), thickness: 1.2, width: 4 } };
}

function xyTrace(type: string, s: Series, extra: Record<string, unknown>): PlotlyTrace {
  return { type, name: s.name, x: [...s.x], y: [...s.y], ...(s.text ? { text: [...s.text] } : {}), ...errorY(s), ...extra };
}

/** Line chart: one line (with markers) per series. */
export function lineFigure(series: readonly Series[], opts: FigureOptions & { readonly markers?: boolean }): PlotlyFigure {
  checkSeries(series, 'lineFigure');
  const mode = opts.markers === false ? 'lines' : 'lines+markers';
  return { data: series.map((s) => xyTrace('scatter', s, { mode, line: { width: 2 }, marker: { size: 5 } })), layout: paperLayout(opts) };
}

/** Bar chart: grouped bars per series, or stacked with `stacked: true`; `horizontal` swaps the axes. */
export function barFigure(series: readonly Series[], opts: FigureOptions & { readonly stacked?: boolean; readonly horizontal?: boolean }): PlotlyFigure {
  checkSeries(series, 'barFigure');
  const data = series.map((s) => opts.horizontal
    ? { type: 'bar', name: s.name, x: [...s.y], y: [...s.x], orientation: 'h', ...(s.text ? { text: [...s.text] } : {}) }
    : xyTrace('bar', s, {}));
  return { data, layout: { ...paperLayout(opts), barmode: opts.stacked ? 'stack' : 'group', bargap: 0.15 } };
}

/** Scatter plot: markers only, one colour per series; `text` becomes the hover label. */
export function scatterFigure(series: readonly Series[], opts: FigureOptions & { readonly markerSize?: number }): PlotlyFigure {
  checkSeries(series, 'scatterFigure');
  return { data: series.map((s) => xyTrace('scatter', s, { mode: 'markers', marker: { size: opts.markerSize ?? 7, opacity: 0.85 } })), layout: paperLayout(opts) };
}

/** A heatmap's cells: z[row][col], with row (y) and column (x) labels. */
export interface HeatmapData {
  /** [nRows][nCols] values; null leaves a cell empty. */
  readonly z: readonly (readonly (number | null)[])[];
  /** [nCols] column labels. */
  readonly x: readonly Datum[];
  /** [nRows] row labels. */
  readonly y: readonly Datum[];
}

/** Heatmap (viridis by default); `showValues` writes each value in its cell with `valueFormat` (d3-format, default '.3f'). */
export function heatmapFigure(h: HeatmapData, opts: FigureOptions & { readonly zTitle?: string; readonly colorscale?: string; readonly showValues?: boolean; readonly valueFormat?: string }): PlotlyFigure {
  if (h.z.length !== h.y.length) throw new Error(`heatmapFigure: ${h.z.length} rows of z but ${h.y.length} y labels`);
  h.z.forEach((row, r) => {
    if (row.length !== h.x.length) throw new Error(`heatmapFigure: row ${r} has ${row.length} values but there are ${h.x.length} x labels`);
  });
  const trace: PlotlyTrace = {
    type: 'heatmap', z: h.z.map((row) => [...row]), x: [...h.x], y: [...h.y],
    colorscale: opts.colorscale ?? 'Viridis', colorbar: { title: { text: opts.zTitle ?? '' } },
    ...(opts.showValues ? { texttemplate: `%{z:${opts.valueFormat ?? '.3f'}}`, textfont: { size: PAPER_STYLE.fontSize - 1 } } : {}),
  };
  const layout = paperLayout(opts);
  return { data: [trace], layout: { ...layout, xaxis: { ...(layout['xaxis'] as object), showgrid: false, type: 'category' }, yaxis: { ...(layout['yaxis'] as object), showgrid: false, type: 'category', autorange: 'reversed' } } };
}

/**
 * Groups plain records into series: x from `x`, y from `y`, one series per distinct value of `group`
 * (in order of first appearance; a single series named `y` when no group key is given). With `lo` and
 * `hi` keys the series get error bars from those fields (a non-number end, e.g. a null CI, draws no bar on that side).
 */
export function recordsToSeries<R extends Readonly<Record<string, unknown>>>(rows: readonly R[], keys: { readonly x: keyof R & string; readonly y: keyof R & string; readonly group?: keyof R & string; readonly lo?: keyof R & string; readonly hi?: keyof R & string }): Series[] {
  if (!keys.lo !== !keys.hi) throw new Error('recordsToSeries: give both lo and hi keys, or neither');
  const groups = new Map<string, { x: Datum[]; y: number[]; yLo: number[]; yHi: number[] }>();
  rows.forEach((r, i) => {
    const name = keys.group ? String(r[keys.group]) : keys.y;
    const x = r[keys.x], y = r[keys.y];
    if (typeof x !== 'number' && typeof x !== 'string') throw new Error(`recordsToSeries: row ${i} has ${keys.x} = ${String(x)} (need a number or string)`);
    if (typeof y !== 'number') throw new Error(`recordsToSeries: row ${i} has ${keys.y} = ${String(y)} (need a number)`);
    const g = groups.get(name) ?? { x: [], y: [], yLo: [], yHi: [] };
    g.x.push(x);
    g.y.push(y);
    if (keys.lo && keys.hi) {
      const lo = r[keys.lo], hi = r[keys.hi];
      g.yLo.push(typeof lo === 'number' ? lo : y);
      g.yHi.push(typeof hi === 'number' ? hi : y);
    }
    groups.set(name, g);
  });
  return [...groups].map(([name, g]) => ({ name, x: g.x, y: g.y, ...(keys.lo ? { yLo: g.yLo, yHi: g.yHi } : {}) }));
}
