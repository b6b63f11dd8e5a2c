// Figures in a tslab notebook: the plotly.js bundle once per kernel, then a div + Plotly.newPlot per
// figure (live UI, nbconvert HTML), plus a static PNG for viewers that run no JavaScript (GitHub).
// Reference: docs/environment.md §4.
import * as fs from 'fs';
import type { PlotlyFigure } from './plotly';
import { findChromium, withSharedRenderer } from './export';

/** Where figure outputs go: tslab's `display` in a kernel (a stub in tests). */
export interface DisplaySink {
  html(s: string): void;
  png(b: Uint8Array): void;
  text(s: string): void;
}

/**
 * - `interactive`: bundle + div only; `static`: PNG only (small notebooks that GitHub renders);
 * - `both` (default): the interactive figure and, when chromium is available, a PNG under it.
 */
export type FigureMode = 'interactive' | 'static' | 'both';

/** Options of showFigure. */
export interface ShowFigureOptions {
  /** Default: $CFLLM_FIGURE_MODE, else 'both'. */
  readonly mode?: FigureMode;
  /** Default: tslab's display (required lazily, so the library loads outside a kernel). */
  readonly sink?: DisplaySink;
}

const FIGURE_MODES: readonly FigureMode[] = ['interactive', 'static', 'both'];

let bundleShown = false;
let figureCount = 0;

const NOT_IN_KERNEL = 'showFigure needs a tslab kernel; outside notebooks use exportFigures';

function tslabSink(): DisplaySink {
  let display: DisplaySink;
  try {
    display = (require('tslab') as { display: DisplaySink }).display;
  } catch (e) {
    throw new Error(`${NOT_IN_KERNEL} (require('tslab') failed: ${(e as Error).message.split('\n')[0]})`);
  }
  // tslab's display throws a bare "Not ready" when no kernel is running
  const guard = <A>(f: (a: A) => void) => (a: A) => {
    try {
      f.call(display, a);
    } catch (e) {
      throw new Error((e as Error).message === 'Not ready' ? NOT_IN_KERNEL : (e as Error).message);
    }
  };
  return { html: guard(display.html), png: guard(display.png), text: guard(display.text) };
}

/** The figure mode from $CFLLM_FIGURE_MODE (default 'both'). */
export function figureModeFromEnv(): FigureMode {
  const v = process.env['CFLLM_FIGURE_MODE'];
  if (v === undefined || v === '') return 'both';
  if ((FIGURE_MODES as readonly string[]).includes(v)) return v as FigureMode;
  throw new Error(`$CFLLM_FIGURE_MODE: unknown mode "${v}" (known: ${FIGURE_MODES.join(', ')})`);
}

/** Text safe inside a <script> element: no closing tag, no JS line separators. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The plotly.js bundle (plotly.js-dist) as one <script> element that defines window.Plotly. */
export function plotlyBundleHtml(): string {
  return `<script type="text/javascript">${scriptSafe(fs.readFileSync(require.resolve('plotly.js-dist'), 'utf8'))}</script>`;
}

/** A div plus a script that draws `fig` into it once window.Plotly exists (it waits up to ~10 s). */
export function figureHtml(fig: PlotlyFigure): string {
  const id = `cfllm-fig-${Date.now().toString(36)}-${++figureCount}`;
  const w = Number(fig.layout['width'] ?? 640), h = Number(fig.layout['height'] ?? 400);
  const json = scriptSafe(JSON.stringify({ data: fig.data, layout: fig.layout }));
  return `<div id="${id}" style="width:${w}px;height:${h}px;max-width:100%"></div>
<script type="text/javascript">(function () {
  var fig = ${json}, tries = 0;
  function draw() {
    var el = document.getElementById('${id}');
    if (el && window.Plotly) { window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false }); return; }
    if (++tries < 200) { setTimeout(draw, 50); return; }
    if (el) el.textContent = 'plotly.js is not loaded in this page: re-run the notebook from the top.';
  }
  draw();
})();</script>`;
}

/**
 * Shows a plotly figure in a tslab notebook (await it): the first call per kernel also emits the
 * plotly.js bundle (~11 MB of HTML output); the PNG (scale 1) is skipped when chromium is absent.
 */
export async function showFigure(fig: PlotlyFigure, opts: ShowFigureOptions = {}): Promise<void> {
  const mode = opts.mode ?? figureModeFromEnv();
  const sink = opts.sink ?? tslabSink();
  if (mode !== 'static') {
    if (!bundleShown) {
      sink.html(plotlyBundleHtml());
      bundleShown = true;
    }
    sink.html(figureHtml(fig));
  }
  if (mode === 'interactive') return;
  if (!findChromium()) {
    if (mode === 'static') sink.text('(no static image: chromium not found; install it with apt-get install -y --no-install-recommends chromium)');
    return;
  }
  sink.png(await withSharedRenderer((r) => r.png(fig, 1)));
}
