// Line charts in side-by-side panels that share the x axis title and one legend (a series keeps its
// colour in every panel), e.g. training loss and validation AUC per epoch of several runs.
// Reference: plotly.js subplots (layout.xaxisN.domain, yaxisN.anchor).
import { paperLayout, PAPER_STYLE, type FigureOptions, type PlotlyFigure, type PlotlyTrace, type Series } from './plotly';

/** One panel: its own title, y-axis title and series. */
export interface LinePanel {
  readonly title: string;
  readonly yTitle?: string;
  readonly series: readonly Series[];
}

/** Side-by-side line panels (lines + markers); series with the same name share a colour and one legend entry; `gap` between panels (paper fraction, default 0.1), `xDtick` the x tick step (e.g. 1 for epochs). */
export function panelLineFigure(panels: readonly LinePanel[], opts: FigureOptions & { readonly gap?: number; readonly xDtick?: number }): PlotlyFigure {
  if (panels.length === 0) throw new Error('panelLineFigure: no panels');
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const colour = (name: string) => PAPER_STYLE.colorway[names.indexOf(name) % PAPER_STYLE.colorway.length]!;
  const base = paperLayout({ ...opts, width: opts.width ?? PAPER_STYLE.width * Math.min(2, panels.length) * 0.75 });
  const gap = opts.gap ?? 0.1, w = (1 - gap * (panels.length - 1)) / panels.length;
  const layout: Record<string, unknown> = { ...base };
  const data: PlotlyTrace[] = [];
  const shown = new Set<string>();
  panels.forEach((p, k) => {
    const sfx = k === 0 ? '' : String(k + 1);
    for (const s of p.series) {
      if (s.x.length !== s.y.length) throw new Error(`panelLineFigure: panel "${p.title}" series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
      data.push({
        type: 'scatter', mode: 'lines+markers', name: s.name, x: [...s.x], y: [...s.y], xaxis: `x${sfx}`, yaxis: `y${sfx}`,
        legendgroup: s.name, showlegend: !shown.has(s.name), line: { width: 2, color: colour(s.name) }, marker: { size: 6, color: colour(s.name) },
      });
      shown.add(s.name);
    }
    const x0 = k * (w + gap);
    layout[`xaxis${sfx}`] = { ...(base['xaxis'] as object), domain: [x0, x0 + w], anchor: `y${sfx}`, ...(opts.xDtick ? { dtick: opts.xDtick } : {}) };
    layout[`yaxis${sfx}`] = { ...(base['yaxis'] as object), anchor: `x${sfx}`, title: { text: p.yTitle ?? '' } };
  });
  const panelTitles = panels.map((p, k) => ({
    text: `<b>${p.title}</b>`, x: k * (w + gap) + w / 2, xref: 'paper', y: 1, yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false,
    font: { size: PAPER_STYLE.fontSize },
  }));
  layout['annotations'] = [...(base['annotations'] as object[]), ...panelTitles];
  layout['margin'] = { l: 64, r: 24, t: 96, b: 56 };
  layout['legend'] = { ...(base['legend'] as object), y: 1.12 };
  return { data, layout };
}
