// The export cell: non-null figures become PNG + SVG in the folder, the files are listed relative to the
// project under the cell, null entries (figures a scale does not draw) are skipped. Needs chromium.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { shownPath } from '../../src/core/paths';
import { CHROMIUM_APT_COMMAND, findChromium } from '../../src/viz/export';
import { barFigure } from '../../src/viz/plotly';
import { saveFigures } from '../../src/viz/save-figures';

const fig = barFigure([{ name: 'n', x: ['a', 'b'], y: [1, 2] }], { title: 'save smoke', width: 200, height: 150 });

describe('saveFigures', () => {
  it.skipIf(!findChromium())(`writes the non-null figures and lists them (skipped without chromium: ${CHROMIUM_APT_COMMAND})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-save-'));
    const said: string[] = [];
    const sink = { html: () => undefined, png: () => undefined, text: (s: string) => said.push(s) };
    try {
      await expect(saveFigures({ 'nb-bars': fig, 'nb-absent': null }, dir, { sink })).resolves.toBeUndefined();
      expect(fs.readdirSync(dir).sort()).toEqual(['nb-bars.png', 'nb-bars.svg']);
      expect(said).toEqual([[path.join(dir, 'nb-bars.png'), path.join(dir, 'nb-bars.svg')].map(shownPath).join('\n')]);
      await saveFigures({ none: undefined }, dir, { sink });
      expect(said[1]).toBe('no figures written');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
