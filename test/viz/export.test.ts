// Static export through headless chromium: a small figure becomes a real PNG (signature, size from the
// IHDR chunk at scale 2) and an SVG holding the title. Skipped only when chromium is not installed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_APT_COMMAND, exportFigures, findChromium } from '../../src/viz/export';
import { barFigure } from '../../src/viz/plotly';

const chromium = findChromium();
const fig = barFigure([{ name: 'rows', x: ['train', 'valid', 'test'], y: [30, 10, 12] }], { title: 'Export smoke figure', xTitle: 'split', yTitle: 'rows', width: 320, height: 200 });

describe('exportFigures', () => {
  it('rejects names that are not plain file stems', async () => {
    await expect(exportFigures([{ name: '../escape', fig }], os.tmpdir())).rejects.toThrow(/bad figure name/);
  });

  it.skipIf(!chromium)(`writes <name>.png and <name>.svg (skipped when chromium is absent: ${CHROMIUM_APT_COMMAND})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-viz-'));
    try {
      const [out] = await exportFigures([{ name: 'smoke-bars', fig }], dir);
      expect(out).toEqual({ name: 'smoke-bars', png: path.join(dir, 'smoke-bars.png'), svg: path.join(dir, 'smoke-bars.svg') });
      const png = fs.readFileSync(out!.png);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.toString('ascii', 12, 16)).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([640, 400]);
      expect(png.length).toBeGreaterThan(2000);
      const svg = fs.readFileSync(out!.svg, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('Export smoke figure');
      expect(svg).toContain('valid');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
