// Figures in a tslab notebook: an interactive plotly figure (a div + Plotly.newPlot, plotly.js loaded once
// per page from the Jupyter server's /files/ route, never embedded in the notebook), a static PNG for
// viewers that run no JavaScript (GitHub, headless runs), or both. Reference: docs/environment.md §4.
import * as path from 'path';
import { readEnv } from '../core/env';
import { projectRoot } from '../core/paths';
import type { PlotlyFigure } from './plotly';
import { findChromium, withSharedRenderer } from './export';

/** Where figure outputs go: tslab's `display` in a kernel (a stub in tests). */
export interface DisplaySink {
  html(s: string): void;
  png(b: Uint8Array): void;
  text(s: string): void;
}

/**
 * - `interactive` (default): the live plotly figure only; the saved notebook holds its JSON, not plotly.js;
 * - `static`: PNG only (what headless runs commit, so that GitHub shows the figures);
 * - `both`: the interactive figure and, when chromium is available, a PNG under it.
 */
export type FigureMode = 'interactive' | 'static' | 'both';

/** Options of showFigure. */
export interface ShowFigureOptions {
  /** Default: $CFLLM_FIGURE_MODE, else 'interactive'. */
  readonly mode?: FigureMode;
  /** Default: tslab's display (required lazily, so the library loads outside a kernel). */
  readonly sink?: DisplaySink;
}

/** The figure modes. */
export const FIGURE_MODES: readonly FigureMode[] = ['interactive', 'static', 'both'];

let figureCount = 0;

const NOT_IN_KERNEL = 'showFigure / showTable need a tslab kernel; outside notebooks use exportFigures';

/** tslab's display as a DisplaySink; throws a clear error outside a kernel. */
export function notebookSink(): DisplaySink {
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

/** Parses a figure mode (e.g. $CFLLM_FIGURE_MODE); undefined or '' gives 'interactive'. */
export function parseFigureMode(value: string | undefined, source = '$CFLLM_FIGURE_MODE'): FigureMode {
  if (value === undefined || value === '') return 'interactive';
  if ((FIGURE_MODES as readonly string[]).includes(value)) return value as FigureMode;
  throw new Error(`${source}: unknown mode "${value}" (known: ${FIGURE_MODES.join(', ')})`);
}

/** The figure mode from $CFLLM_FIGURE_MODE (default 'interactive'). */
export function figureModeFromEnv(): FigureMode {
  return readEnv('CFLLM_FIGURE_MODE');
}

/**
 * Where the browser loads plotly.js from: $CFLLM_PLOTLY_URL when set (any URL), else the bundle's path
 * under the Jupyter server's root, served by its /files/ route ($CFLLM_JUPYTER_ROOT, which `npm run lab`
 * sets, else the project root); the figure script prefixes the page's base URL and "files/".
 */
export function plotlySource(): { readonly url: string } | { readonly filesPath: string } {
  const url = readEnv('CFLLM_PLOTLY_URL');
  if (url) return { url };
  const root = readEnv('CFLLM_JUPYTER_ROOT') ?? projectRoot();
  const rel = path.relative(root, require.resolve('plotly.js-dist'));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`plotly.js (${require.resolve('plotly.js-dist')}) is outside the Jupyter root ${root}, so the browser cannot load it: start Jupyter from the project (npm run lab) or set $CFLLM_PLOTLY_URL`);
  }
  return { filesPath: rel.split(path.sep).map(encodeURIComponent).join('/') };
}

/** Text safe inside a <script> element: no closing tag, no JS line separators. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A div plus a script that loads plotly.js once per page (through require.js where the classic notebook
 * has it, else a <script> element) and draws `fig` into the div; if it cannot load, the div says why.
 */
export function figureHtml(fig: PlotlyFigure, source = plotlySource()): string {
  const id = `cfllm-fig-${Date.now().toString(36)}-${++figureCount}`;
  const w = Number(fig.layout['width'] ?? 640), h = Number(fig.layout['height'] ?? 400);
  const json = scriptSafe(JSON.stringify({ data: fig.data, layout: fig.layout }));
  const src = scriptSafe(JSON.stringify(source));
  return `<div id="${id}" class="cfllm-figure" style="width:${w}px;height:${h}px;max-width:100%"></div>
<script type="text/javascript">(function () {
  var fig = ${json}, src = ${src}, el = document.getElementById('${id}');
  function baseUrl() {
    var c = document.getElementById('jupyter-config-data');
    if (c) { try { var b = JSON.parse(c.textContent).baseUrl; if (b) return b; } catch (e) {} }
    return (document.body && document.body.getAttribute('data-base-url')) || '/';
  }
  var url = src.url || baseUrl().replace(/\\/?$/, '/') + 'files/' + src.filesPath;
  if (!window.cfllmPlotly) {
    window.cfllmPlotly = new Promise(function (ok, fail) {
      if (window.Plotly) return ok(window.Plotly);
      if (typeof window.requirejs === 'function' && window.define && window.define.amd) {
        window.requirejs.config({ paths: { 'cfllm-plotly': url.replace(/\\.js$/, '') } });
        // plotly.js 2 registers an AMD module; plotly.js 3 only sets window.Plotly
        window.requirejs(['cfllm-plotly'], function (P) {
          window.Plotly = window.Plotly || P;
          if (window.Plotly) ok(window.Plotly); else fail(new Error('no Plotly after loading ' + url));
        }, fail);
        return;
      }
      var s = document.createElement('script');
      s.src = url;
      s.onload = function () { ok(window.Plotly); };
      s.onerror = function () { fail(new Error('could not load ' + url)); };
      document.head.appendChild(s);
    });
  }
  window.cfllmPlotly.then(function (P) { if (el) return P.newPlot(el, fig.data, fig.layout, { displaylogo: false }); }).then(null, function (e) {
    window.cfllmPlotly = null;
    if (el) el.textContent = 'plotly.js did not load from ' + url + ' (' + (e && e.message || e) + '): start Jupyter with npm run lab from the project, or set CFLLM_PLOTLY_URL.';
  });
})();</script>`;
}

/**
 * Shows a plotly figure in a tslab notebook (await it): interactive, a PNG (scale 1; a note instead when
 * chromium is absent), or both, per `mode`.
 */
export async function showFigure(fig: PlotlyFigure, opts: ShowFigureOptions = {}): Promise<void> {
  const mode = opts.mode ?? figureModeFromEnv();
  const sink = opts.sink ?? notebookSink();
  if (mode !== 'static') sink.html(figureHtml(fig));
  if (mode === 'interactive') return;
  if (!findChromium()) {
    if (mode === 'static') sink.text('(no static image: chromium not found; install it with apt-get install -y --no-install-recommends chromium)');
    return;
  }
  sink.png(await withSharedRenderer((r) => r.png(fig, 1)));
}
