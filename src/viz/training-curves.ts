// The training-curves figure of the notebooks: per run, the mean training loss and the validation AUC
// per epoch in two side-by-side panels (one colour per run in both). Input: plain per-epoch records.
// Reference: src/analysis/training-curves.ts (trainingCurveRows builds the records from run folders).
import { panelLineFigure } from './panels';
import { recordsToSeries, type PlotlyFigure } from './plotly';

/** One epoch of one run (what trainingCurveRows returns). */
export type CurvePoint = {
  readonly run: string;
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validAuc: number;
};

/** Options of trainingCurvesFigure. */
export interface TrainingCurvesOptions {
  /** Figure title (required). */
  readonly title: string;
  /** y title of the loss panel (default 'mean loss per epoch'). */
  readonly lossTitle?: string;
  /** x tick step in epochs (default 1). */
  readonly xDtick?: number;
  /** Width in px (default: the two-panel figure's width). */
  readonly width?: number;
}

/** Loss and validation-AUC panels over epochs, one line per run. */
export function trainingCurvesFigure(rows: readonly CurvePoint[], opts: TrainingCurvesOptions): PlotlyFigure {
  if (rows.length === 0) throw new Error('trainingCurvesFigure: no epochs (no run has finished one)');
  return panelLineFigure([
    { title: 'training loss', yTitle: opts.lossTitle ?? 'mean loss per epoch', series: recordsToSeries(rows, { x: 'epoch', y: 'trainLoss', group: 'run' }) },
    { title: 'validation AUC', yTitle: 'AUC', series: recordsToSeries(rows, { x: 'epoch', y: 'validAuc', group: 'run' }) },
  ], { title: opts.title, xTitle: 'epoch', xDtick: opts.xDtick ?? 1, ...(opts.width ? { width: opts.width } : {}) });
}
