// showFigure without a kernel: a recording sink stands in for tslab's display. The bundle is emitted
// once, each figure gets its own div + Plotly.newPlot, and script-breaking text is escaped.
import { describe, expect, it } from 'vitest';
import { figureHtml, figureModeFromEnv, plotlyBundleHtml, showFigure, type DisplaySink } from '../../src/viz/display';
import { lineFigure } from '../../src/viz/plotly';

function recorder(): DisplaySink & { out: { kind: string; body: string | Uint8Array }[] } {
  const out: { kind: string; body: string | Uint8Array }[] = [];
  return { out, html: (s) => out.push({ kind: 'html', body: s }), png: (b) => out.push({ kind: 'png', body: b }), text: (s) => out.push({ kind: 'text', body: s }) };
}

const fig = lineFigure([{ name: 'a', x: [1, 2], y: [3, 4] }], { title: 'Title </script><b>x</b>' });

describe('showFigure', () => {
  it('emits the plotly bundle only before the first figure, then one div + newPlot per figure', async () => {
    const sink = recorder();
    await showFigure(fig, { mode: 'interactive', sink });
    await showFigure(fig, { mode: 'interactive', sink });
    expect(sink.out.map((o) => o.kind)).toEqual(['html', 'html', 'html']);
    const [bundle, first, second] = sink.out.map((o) => o.body as string);
    expect(bundle!.startsWith('<script type="text/javascript">')).toBe(true);
    expect(bundle!.length).toBeGreaterThan(1_000_000);
    expect(bundle).toContain('window.Plotly = Plotly');
    for (const h of [first!, second!]) expect(h).toMatch(/<div id="cfllm-fig-[^"]+"[^>]*><\/div>[\s\S]*Plotly\.newPlot/);
    const id = (h: string) => /id="([^"]+)"/.exec(h)![1];
    expect(id(first!)).not.toBe(id(second!));
  });

  it('escapes </script> inside figure JSON and the bundle', () => {
    const h = figureHtml(fig);
    expect(h.match(/<\/script>/g)).toHaveLength(1);
    expect(h).toContain('Title <\\/script><b>x</b>');
    expect(plotlyBundleHtml().match(/<\/script>/gi)).toHaveLength(1);
  });

  it('reads the mode from $CFLLM_FIGURE_MODE and rejects unknown ones', () => {
    const old = process.env['CFLLM_FIGURE_MODE'];
    try {
      delete process.env['CFLLM_FIGURE_MODE'];
      expect(figureModeFromEnv()).toBe('both');
      process.env['CFLLM_FIGURE_MODE'] = 'static';
      expect(figureModeFromEnv()).toBe('static');
      process.env['CFLLM_FIGURE_MODE'] = 'fancy';
      expect(() => figureModeFromEnv()).toThrow(/unknown mode "fancy"/);
    } finally {
      if (old === undefined) delete process.env['CFLLM_FIGURE_MODE'];
      else process.env['CFLLM_FIGURE_MODE'] = old;
    }
  });

  it('static mode without chromium writes a note naming the apt-get command instead of a PNG', async () => {
    const old = process.env['CFLLM_CHROMIUM'];
    process.env['CFLLM_CHROMIUM'] = '/nonexistent/chromium';
    try {
      const sink = recorder();
      await showFigure(fig, { mode: 'static', sink });
      expect(sink.out).toEqual([{ kind: 'text', body: expect.stringMatching(/chromium not found; install it with apt-get install/) }]);
    } finally {
      if (old === undefined) delete process.env['CFLLM_CHROMIUM'];
      else process.env['CFLLM_CHROMIUM'] = old;
    }
  });

  it('fails with a clear message outside a tslab kernel', async () => {
    await expect(showFigure(fig, { mode: 'interactive' })).rejects.toThrow(/showFigure needs a tslab kernel/);
  });
});
