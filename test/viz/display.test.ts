// showFigure without a kernel: a recording sink stands in for tslab's display. Interactive figures are a
// small div + script that loads plotly.js from the Jupyter server (never the 11 MB bundle inline), and the
// script really draws the figure in headless chromium when the page serves that file.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { figureHtml, figureModeFromEnv, parseFigureMode, plotlySource, showFigure, type DisplaySink } from '../../src/viz/display';
import { findChromium } from '../../src/viz/export';
import { lineFigure } from '../../src/viz/plotly';

function recorder(): DisplaySink & { out: { kind: string; body: string | Uint8Array }[] } {
  const out: { kind: string; body: string | Uint8Array }[] = [];
  return { out, html: (s) => out.push({ kind: 'html', body: s }), png: (b) => out.push({ kind: 'png', body: b }), text: (s) => out.push({ kind: 'text', body: s }) };
}

const fig = lineFigure([{ name: 'a', x: [1, 2], y: [3, 4] }], { title: 'Title </script><b>x</b>', width: 300, height: 200 });

function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => { for (const [k, x] of Object.entries(v)) { if (x === undefined) delete process.env[k]; else process.env[k] = x; } };
  set(vars);
  try {
    return f();
  } finally {
    set(old);
  }
}

describe('showFigure', () => {
  it('interactive: one small div + script per figure, plotly.js referenced by its served path, not embedded', async () => {
    const sink = recorder();
    await showFigure(fig, { mode: 'interactive', sink });
    await showFigure(fig, { mode: 'interactive', sink });
    expect(sink.out.map((o) => o.kind)).toEqual(['html', 'html']);
    const [first, second] = sink.out.map((o) => o.body as string);
    for (const h of [first!, second!]) {
      expect(h).toMatch(/<div id="cfllm-fig-[^"]+"[^>]*><\/div>[\s\S]*newPlot/);
      expect(h.length).toBeLessThan(6000);
      expect(h).toContain('"filesPath":"node_modules/plotly.js-dist/plotly.js"');
    }
    const id = (h: string) => /id="([^"]+)"/.exec(h)![1];
    expect(id(first!)).not.toBe(id(second!));
  });

  it('escapes </script> inside figure JSON', () => {
    const h = figureHtml(fig);
    expect(h.match(/<\/script>/g)).toHaveLength(1);
    expect(h).toContain('Title <\\/script><b>x</b>');
  });

  it('takes plotly.js from $CFLLM_PLOTLY_URL, or relative to $CFLLM_JUPYTER_ROOT, and refuses a root that does not contain it', () => {
    expect(withEnv({ CFLLM_PLOTLY_URL: 'https://cdn.example/plotly.min.js' }, plotlySource)).toEqual({ url: 'https://cdn.example/plotly.min.js' });
    const root = path.resolve(__dirname, '..', '..');
    expect(withEnv({ CFLLM_PLOTLY_URL: undefined, CFLLM_JUPYTER_ROOT: path.dirname(root) }, plotlySource)).toEqual({ filesPath: `${encodeURIComponent(path.basename(root))}/node_modules/plotly.js-dist/plotly.js` });
    expect(() => withEnv({ CFLLM_PLOTLY_URL: undefined, CFLLM_JUPYTER_ROOT: path.join(root, 'notebooks') }, plotlySource)).toThrow(/outside the Jupyter root .*npm run lab/);
  });

  it('reads the mode from $CFLLM_FIGURE_MODE (default interactive) and rejects unknown ones', () => {
    expect(withEnv({ CFLLM_FIGURE_MODE: undefined }, figureModeFromEnv)).toBe('interactive');
    expect(withEnv({ CFLLM_FIGURE_MODE: 'static' }, figureModeFromEnv)).toBe('static');
    expect(() => withEnv({ CFLLM_FIGURE_MODE: 'fancy' }, figureModeFromEnv)).toThrow(/\$CFLLM_FIGURE_MODE: "fancy" is not one of interactive, static, both/);
    expect(() => parseFigureMode('x', 'config')).toThrow(/^config: unknown mode/);
  });

  it('static mode without chromium writes a note naming the apt-get command instead of a PNG', async () => {
    const sink = recorder();
    await withEnv({ CFLLM_CHROMIUM: '/nonexistent/chromium' }, () => showFigure(fig, { mode: 'static', sink }));
    expect(sink.out).toEqual([{ kind: 'text', body: expect.stringMatching(/chromium not found; install it with apt-get install/) }]);
  });

  it('fails with a clear message outside a tslab kernel', async () => {
    await expect(showFigure(fig, { mode: 'interactive' })).rejects.toThrow(/need a tslab kernel/);
  });

  it.skipIf(!findChromium())('draws the figure in chromium once the page serves plotly.js under /files/ (skipped without chromium)', async () => {
    const pw = await import('playwright-core');
    const browser = await pw.chromium.launch({ executablePath: findChromium()!, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage();
      let served = 0;
      await page.route('http://jupyter.test/**', async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/base/files/node_modules/plotly.js-dist/plotly.js') {
          served++;
          return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(require.resolve('plotly.js-dist'), 'utf8') });
        }
        return route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><head></head><body data-base-url="/base/"><div id="out"></div></body></html>' });
      });
      await page.goto('http://jupyter.test/base/notebooks/x.ipynb');
      // what JupyterLab and the classic notebook do with an HTML output: insert it and run its scripts
      for (const html of [figureHtml(fig), figureHtml(fig)]) {
        await page.evaluate((h) => {
          const box = document.createElement('div');
          box.innerHTML = h;
          document.getElementById('out')!.appendChild(box);
          for (const old of Array.from(box.querySelectorAll('script'))) {
            const s = document.createElement('script');
            s.textContent = old.textContent;
            old.replaceWith(s);
          }
        }, html);
      }
      await page.waitForFunction(() => document.querySelectorAll('.cfllm-figure .main-svg').length >= 2, undefined, { timeout: 30_000 });
      expect(await page.locator('.cfllm-figure .gtitle').first().textContent()).toBe('Title </script><b>x</b>'.replace('<b>x</b>', 'x'));
      expect(served).toBe(1);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
