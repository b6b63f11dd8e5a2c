// Box plots of several value groups side by side (e.g. the norms of an LLM's token embeddings next to
// the norms of vectors mapped into that space), with every point drawn for small groups.
// Reference: plotly.js box traces (https://plotly.com/javascript/box-plots/).
import { paperLayout, type FigureOptions, type PlotlyFigure } from './plotly';

/** One box. */
export interface BoxGroup {
  /** Category label on the x axis (and legend entry). */
  readonly name: string;
  /** [n] values. */
  readonly values: ArrayLike<number>;
  /** [n] hover labels of the points. */
  readonly text?: readonly string[];
  /** Points drawn beside the box: 'all', 'outliers' or 'none' (default: all up to 200 values, else outliers). */
  readonly points?: 'all' | 'outliers' | 'none';
}

/** One box per group (mean marked), in order; `logY` for groups on different scales. */
export function boxFigure(groups: readonly BoxGroup[], opts: FigureOptions): PlotlyFigure {
  if (groups.length === 0) throw new Error('boxFigure: no groups');
  for (const g of groups) {
    if (g.values.length === 0) throw new Error(`boxFigure: group "${g.name}" has no values`);
    if (g.text && g.text.length !== g.values.length) throw new Error(`boxFigure: group "${g.name}" has ${g.values.length} values but ${g.text.length} labels`);
  }
  const data = groups.map((g) => {
    const points = g.points ?? (g.values.length <= 200 ? 'all' : 'outliers');
    return {
      type: 'box', name: g.name, y: Array.from(g.values), boxmean: true,
      boxpoints: points === 'none' ? false : points, jitter: 0.4, pointpos: 0, marker: { size: 4, opacity: 0.7 },
      ...(g.text ? { text: [...g.text], hoverinfo: 'y+text' } : {}),
    };
  });
  return { data, layout: { ...paperLayout(opts), showlegend: false } };
}
