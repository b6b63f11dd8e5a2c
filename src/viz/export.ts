// Static figure export: renders plotly figures to PNG and SVG with Plotly.toImage inside Debian's
// headless chromium, driven by playwright-core; plotly.js is loaded once per renderer session.
// Reference: docs/environment.md §4.
import * as fs from 'fs';
import * as path from 'path';
import { processAlive } from '../core/claims';
import { readEnv } from '../core/env';
import { writeFileAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import type { PlotlyFigure } from './plotly';

/** The Debian command that installs the browser the exporter drives. */
export const CHROMIUM_APT_COMMAND = 'apt-get install -y --no-install-recommends chromium';

/** Chromium flags for a quiet, sandbox-free headless run (containers, CI). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** The chromium binary: $CFLLM_CHROMIUM when set, else `chromium` or `chromium-browser` on PATH, else null. */
export function findChromium(): string | null {
  const explicit = readEnv('CFLLM_CHROMIUM');
  if (explicit) return fs.existsSync(explicit) ? explicit : null;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not in this folder
      }
    }
  }
  return null;
}

/** Where figures go: $CFLLM_FIGURES_DIR (the notebook runner points CI runs elsewhere), else <root>/figures. */
export function figuresDir(): string {
  return readEnv('CFLLM_FIGURES_DIR') ?? path.join(projectRoot(), 'figures');
}

/** An open headless-chromium page with plotly.js loaded; close() ends the browser. */
export interface FigureRenderer {
  /** PNG bytes of `fig`, `scale` device pixels per CSS pixel (default 2). */
  png(fig: PlotlyFigure, scale?: number): Promise<Buffer>;
  /** SVG text of `fig`. */
  svg(fig: PlotlyFigure): Promise<string>;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error(`Plotly.toImage returned no data URL (got "${url.slice(0, 40)}")`);
  const head = url.slice(0, comma), body = url.slice(comma + 1);
  return head.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}

/** Removes profile folders left by processes that died with a browser open (e.g. a killed kernel). */
function removeStaleProfiles(cache: string): void {
  for (const name of fs.readdirSync(cache)) {
    const pid = Number(/^profile-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    if (!processAlive(pid)) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

/** Launches chromium (profile and XDG folders under <root>/.cache/chromium) and loads plotly.js into a page. */
export async function openFigureRenderer(): Promise<FigureRenderer> {
  const exe = findChromium();
  if (!exe) {
    throw new Error(`figure export needs chromium, which was not found (looked for chromium and chromium-browser on PATH, or $CFLLM_CHROMIUM). ` +
      `Install it with: sudo ${CHROMIUM_APT_COMMAND}`);
  }
  const pw = require('playwright-core') as typeof import('playwright-core');
  const cache = path.join(projectRoot(), '.cache', 'chromium');
  fs.mkdirSync(cache, { recursive: true });
  removeStaleProfiles(cache);
  const profile = fs.mkdtempSync(path.join(cache, `profile-${process.pid}-`));
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(cache, 'xdg-config'), XDG_CACHE_HOME: path.join(cache, 'xdg-cache') } as Record<string, string>;
  let context: import('playwright-core').BrowserContext;
  try {
    context = await pw.chromium.launchPersistentContext(profile, { executablePath: exe, headless: true, args: CHROMIUM_ARGS, env });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${exe} for figure export: ${(e as Error).message.split('\n')[0]}`);
  }
  const page = context.pages()[0] ?? await context.newPage();
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ path: require.resolve('plotly.js-dist') });
  const toImage = async (fig: PlotlyFigure, format: 'png' | 'svg', scale: number): Promise<Buffer> => {
    const url = await page.evaluate(async ({ data, layout, format, scale }) => {
      const plotly = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
      return plotly.toImage({ data, layout }, { format, scale, width: layout['width'] ?? 640, height: layout['height'] ?? 400 });
    }, { data: fig.data as unknown[], layout: fig.layout as Record<string, unknown>, format, scale });
    return decodeDataUrl(url);
  };
  return {
    png: (fig, scale = 2) => toImage(fig, 'png', scale),
    svg: async (fig) => (await toImage(fig, 'svg', 1)).toString('utf8'),
    close: async () => {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Close the shared renderer after this long without use. */
const SHARED_IDLE_MS = 15_000;

interface SharedRenderer { renderer: Promise<FigureRenderer>; timer?: ReturnType<typeof setTimeout> }
let shared: SharedRenderer | null = null;

/**
 * Runs `f` on the renderer that showFigure keeps open in a kernel (opened on first use, closed after
 * 15 s idle). An open browser keeps Node's event loop alive: scripts use openFigureRenderer / exportFigures.
 */
export async function withSharedRenderer<T>(f: (r: FigureRenderer) => Promise<T>): Promise<T> {
  if (!shared) {
    const fresh: SharedRenderer = { renderer: openFigureRenderer() };
    fresh.renderer.catch(() => { if (shared === fresh) shared = null; });
    shared = fresh;
  }
  const s: SharedRenderer = shared;
  if (s.timer) clearTimeout(s.timer);
  try {
    return await f(await s.renderer);
  } finally {
    s.timer = setTimeout(() => {
      if (shared === s) shared = null;
      s.renderer.then((r) => r.close()).catch(() => undefined);
    }, SHARED_IDLE_MS);
    s.timer.unref();
  }
}

/** A figure to export: `name` becomes the file stem (kebab-case, e.g. '01-data-interactions-over-time'). */
export interface NamedFigure {
  readonly name: string;
  readonly fig: PlotlyFigure;
}

/** Paths written for one figure. */
export interface ExportedFigure {
  readonly name: string;
  readonly png: string;
  readonly svg: string;
}

/**
 * Writes `<dir>/<name>.png` (scale 2 by default) and `<dir>/<name>.svg` for every figure, in one chromium
 * session (showFigure's, when open; else a fresh one, closed before returning); `dir` defaults to
 * figuresDir(). Throws, naming the apt-get command, when chromium is missing.
 */
export async function exportFigures(figs: readonly NamedFigure[], dir: string = figuresDir(), opts: { readonly scale?: number } = {}): Promise<ExportedFigure[]> {
  for (const f of figs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f.name)) throw new Error(`exportFigures: bad figure name "${f.name}" (letters, digits, '.', '_', '-'; no folders)`);
  }
  if (figs.length === 0) return [];
  fs.mkdirSync(dir, { recursive: true });
  const writeAll = async (renderer: FigureRenderer): Promise<ExportedFigure[]> => {
    const out: ExportedFigure[] = [];
    for (const { name, fig } of figs) {
      const png = path.join(dir, `${name}.png`), svg = path.join(dir, `${name}.svg`);
      try {
        writeFileAtomic(png, await renderer.png(fig, opts.scale ?? 2));
        writeFileAtomic(svg, await renderer.svg(fig));
      } catch (e) {
        throw new Error(`exportFigures: figure "${name}" failed: ${(e as Error).message.split('\n')[0]}`);
      }
      out.push({ name, png, svg });
    }
    return out;
  };
  // in a kernel where showFigure already opened a browser, reuse it (saves ~4 s of launch + plotly load)
  if (shared) return withSharedRenderer(writeAll);
  const renderer = await openFigureRenderer();
  try {
    return await writeAll(renderer);
  } finally {
    await renderer.close();
  }
}
