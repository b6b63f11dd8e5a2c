// The settings a notebook's config cell chooses for its session: the scale (the cell's choice; headless
// runs override it through $CFLLM_SCALE), where the export cell writes figures (an untracked session
// folder unless the cell asks for the README's figures/), and the figure mode. Reference: README "Notebooks".
import * as path from 'path';
import { readEnv } from '../core/env';
import { projectRoot, shownPath } from '../core/paths';
import { parseScale, type Scale } from '../runner/scale';
import { figureModeFromEnv, type FigureMode } from '../viz/display';

/** Where the export cell writes: 'session' (results/notebooks/<scale>/figures, untracked) or 'repo' (figures/, tracked, used by the README). */
export type FigureTarget = 'session' | 'repo';

/** What the config cell sets. */
export interface NotebookSessionConfig {
  /** Scale of the session (default 'default'); $CFLLM_SCALE wins when set (the headless runner sets it). */
  readonly scale?: Scale;
  /** Where figures go (default 'session'); $CFLLM_FIGURES_DIR wins when set (the headless runner sets it). */
  readonly figures?: FigureTarget;
}

/** The resolved settings. */
export interface NotebookSession {
  readonly scale: Scale;
  /** Folder the export cell writes PNG and SVG files to. */
  readonly figuresDir: string;
  /** How showFigure draws ($CFLLM_FIGURE_MODE, default 'interactive'). */
  readonly figureMode: FigureMode;
  /** One line saying what was chosen and where each setting came from. */
  readonly summary: string;
}

/** Resolves a config cell's settings against the environment (see NotebookSessionConfig for the order). */
export function notebookSession(cfg: NotebookSessionConfig = {}): NotebookSession {
  const cell = parseScale(cfg.scale, 'default', 'notebookSession: scale');
  const target = cfg.figures ?? 'session';
  if (target !== 'session' && target !== 'repo') throw new Error(`notebookSession: figures must be 'session' or 'repo' (got ${JSON.stringify(target)})`);
  const envScale = readEnv('CFLLM_SCALE');
  const scale = envScale ?? cell;
  const envFigures = readEnv('CFLLM_FIGURES_DIR');
  const figuresDir = envFigures ?? (target === 'repo' ? path.join(projectRoot(), 'figures') : path.join(readEnv('CFLLM_RUNS_DIR') ?? path.join(projectRoot(), 'results', 'notebooks'), scale, 'figures'));
  const figureMode = figureModeFromEnv();
  const scaleFrom = envScale ? `$CFLLM_SCALE, over the config cell's ${cell}` : 'config cell';
  const figuresFrom = envFigures ? '$CFLLM_FIGURES_DIR' : target === 'repo' ? "config cell: figures 'repo'" : "config cell: figures 'session'; 'repo' writes figures/";
  const summary = `scale ${scale} (${scaleFrom}); figures to ${shownPath(figuresDir)}/ (${figuresFrom}); figure mode ${figureMode}`;
  return { scale, figuresDir, figureMode, summary };
}
