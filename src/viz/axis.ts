// Axis adjustments of a finished figure: a fixed y range (e.g. AUC from 0.4, so that differences between
// bars are visible) and a dashed horizontal reference line (e.g. chance level at 0.5).
// Reference: plotly.js layout.yaxis.range and layout.shapes.
import { PAPER_STYLE, type PlotlyFigure } from './plotly';

/**
 * A copy of `fig` with the y axis fixed to `range` [lo, hi] and, when given, a dashed line at `ref.y`
 * labelled `ref.label` in the right margin (widened to fit the label).
 */
export function withYRange(fig: PlotlyFigure, range: readonly [number, number], ref?: { readonly y: number; readonly label: string }): PlotlyFigure {
  if (!(range[0] < range[1])) throw new Error(`withYRange: range must be [lo, hi] with lo < hi, got [${range[0]}, ${range[1]}]`);
  const l = fig.layout;
  const list = (k: string) => (Array.isArray(l[k]) ? (l[k] as unknown[]) : []);
  const shapes = ref ? [...list('shapes'), { type: 'line', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: ref.y, y1: ref.y, line: { color: '#555', width: 1, dash: 'dot' } }] : list('shapes');
  // the label sits in the right margin, beside the line's end, so that it never covers a bar
  const annotations = ref ? [...list('annotations'), { x: 1, xref: 'paper', y: ref.y, yref: 'y', text: ref.label, showarrow: false, xanchor: 'left', xshift: 4, yanchor: 'middle', font: { size: PAPER_STYLE.fontSize - 1, color: '#555' } }] : list('annotations');
  const margin = (l['margin'] ?? {}) as { r?: number };
  const labelWidth = ref ? Math.ceil(ref.label.length * 0.6 * (PAPER_STYLE.fontSize - 1)) + 12 : 0;
  const layout = { ...l, yaxis: { ...(l['yaxis'] as object), range: [range[0], range[1]], autorange: false }, shapes, annotations,
    ...(ref ? { margin: { ...margin, r: Math.max(margin.r ?? 0, labelWidth) } } : {}) };
  return { data: fig.data, layout };
}
