// The export cell of a notebook: writes named figures as PNG (2x) and SVG into a folder and lists the
// files written (paths relative to the project) under the cell. Reference: src/viz/export.ts.
import { shownPath } from '../core/paths';
import { notebookSink, type DisplaySink } from './display';
import { exportFigures } from './export';
import type { PlotlyFigure } from './plotly';

/**
 * Exports every non-null figure of `figs` (key = file stem, e.g. '02-cf-test-auc') to `dir` and shows the
 * files written (or "no figures written" when every entry is null); `sink` replaces tslab's display in tests.
 * Returns nothing, so that a notebook's last line does not print the absolute paths again.
 */
export async function saveFigures(figs: Readonly<Record<string, PlotlyFigure | null | undefined>>, dir: string, opts: { readonly sink?: DisplaySink } = {}): Promise<void> {
  const named = Object.entries(figs).flatMap(([name, fig]) => (fig ? [{ name, fig }] : []));
  const sink = opts.sink ?? notebookSink();
  const written = await exportFigures(named, dir);
  sink.text(written.length === 0 ? 'no figures written' : written.flatMap((w) => [shownPath(w.png), shownPath(w.svg)]).join('\n'));
}
