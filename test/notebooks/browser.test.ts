// Notebooks in a real browser: starts Jupyter from the project as `npm run lab` does, opens a copy of
// notebook 01 at smoke scale in headless chromium, runs all cells from the menu, finds an interactive plotly
// figure, saves and checks the file stays under 2 MB, then interrupts a training cell from the Kernel menu
// and checks the loop stopped with its resume message. Skips, saying why, without Jupyter or chromium.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../src/viz/export';

const root = path.resolve(__dirname, '..', '..');
const req = createRequire(__filename);
const { ensureNotebookEnv } = req(path.join(root, 'scripts', 'notebook-env.js')) as { ensureNotebookEnv(o: { quiet: boolean; server: boolean }): Record<string, string> };
const { startJupyter } = req(path.join(root, 'scripts', 'lab.js')) as {
  startJupyter(o: Record<string, unknown>): { child: import('child_process').ChildProcess; url: Promise<string> };
};

/** Why the test cannot run here (null when it can): set-up installs Jupyter and chromium only as root. */
function missing(): string | null {
  if (!findChromium()) return 'chromium not found (run npm test as root, or apt-get install chromium)';
  try {
    ensureNotebookEnv({ quiet: true, server: true });
  } catch (e) {
    return `Jupyter is not ready: ${(e as Error).message.split('\n').join(' ')}`;
  }
  return null;
}
const skip = missing();
if (skip) process.stderr.write(`notebooks in a browser: skipped: ${skip}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A training cell that runs long enough to be interrupted: MF on the synthetic world for up to 500 epochs. */
const TRAIN_CELL = (dir: string) => `const stopDir = ${JSON.stringify(dir)};
const stopExp = kit.makeCFExperiment({ dataset: 'synthetic', model: 'mf', seed: 0, backend: 'wasm', train: { maxEpochs: 500, patience: 500, lr: 1e-2 } });
await kit.runCFExperiment(stopExp, { outDir: stopDir, onProgress: kit.progressFilter((line) => console.log(line)) });`;

describe('notebooks in a browser (Jupyter + headless chromium)', () => {
  it.skipIf(skip !== null)(`runs all cells, shows an interactive figure, saves under 2 MB, and Interrupt stops training${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const pw = await import('playwright-core');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-browser-'));
    // a copy one folder below the root, so that its `import * as kit from '../dist'` still resolves; scratch/ is git-ignored
    const scratch = path.join(root, 'scratch');
    fs.mkdirSync(scratch, { recursive: true });
    const name = `browser-test-${process.pid}.ipynb`;
    const copy = path.join(scratch, name);
    const token = `t${process.pid}${Date.now()}`;
    const port = await freePort();
    const { child, url } = startJupyter({
      ui: 'notebook', port, open: false, token, quiet: true, stdio: 'pipe', build: false, // npm test compiles first
      env: { CFLLM_SCALE: 'smoke', CFLLM_RUNS_DIR: path.join(tmp, 'runs'), CFLLM_FIGURES_DIR: path.join(tmp, 'figures'), CFLLM_FIGURE_MODE: '' },
    });
    let browser: import('playwright-core').Browser | null = null;
    try {
      fs.copyFileSync(path.join(root, 'notebooks', '01-data.ipynb'), copy);
      await url;
      browser = await pw.chromium.launch({ executablePath: findChromium()!, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.on('dialog', (d) => void d.dismiss());
      const consoleErrors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/notebooks/scratch/${name}?token=${token}`);
      // the tslab kernel is found (no "Kernel not found" dialog) and connects
      await page.waitForFunction(() => {
        const nb = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter?.notebook;
        return nb?.kernel?.is_connected() === true;
      }, undefined, { timeout: 60_000 });
      expect(await page.locator('.modal-dialog:has-text("Kernel not found")').count()).toBe(0);

      // Cell > Run All, then wait for every code cell to have run
      await page.click('#celllink');
      await page.click('#run_all_cells');
      const codeCells = page.locator('.cell.code_cell');
      const nCode = await codeCells.count();
      await page.waitForFunction((n) => {
        const prompts = Array.from(document.querySelectorAll('.cell.code_cell .input_prompt')).map((p) => p.textContent ?? '');
        return prompts.length === n && prompts.every((t) => /\[\d+\]/.test(t));
      }, nCode, { timeout: 240_000 });
      const errors = await page.locator('.output_stderr, .output_error').allTextContents();
      expect(errors.filter((t) => /Error|rejection/i.test(t))).toEqual([]);

      // an interactive plotly figure: drawn by plotly.js (loaded from the server), with its mode bar
      await page.waitForFunction(() => {
        const el = document.querySelector('.cfllm-figure');
        return el !== null && (el.querySelector('.main-svg') !== null || (el.textContent ?? '') !== '');
      }, undefined, { timeout: 60_000 });
      expect(await page.locator('.cfllm-figure').first().textContent(), `browser console: ${consoleErrors.join(' | ')}`).not.toMatch(/did not load/);
      await page.waitForSelector('.cfllm-figure.js-plotly-plot .main-svg', { timeout: 30_000 });
      expect(await page.locator('.cfllm-figure .modebar').count()).toBeGreaterThan(0);
      expect(await page.locator('.output_html table.cfllm-table').count()).toBeGreaterThan(0);

      // File > Save and Checkpoint: the saved notebook stays small (plotly.js is not embedded)
      await page.click('#filelink');
      await page.click('#save_checkpoint');
      // Jupyter writes the file in place (after a backup copy): poll until it parses and holds the live figure
      const savedWithFigure = () => {
        try {
          const nb = JSON.parse(fs.readFileSync(copy, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
          return nb.cells.some((c) => (c.outputs ?? []).some((o) => String(o.data?.['text/html'] ?? '').includes('cfllm-fig-')));
        } catch {
          return false;
        }
      };
      await expect.poll(savedWithFigure, { timeout: 30_000 }).toBe(true);
      const savedBytes = fs.statSync(copy).size;
      process.stdout.write(`browser test: saved notebook ${savedBytes} bytes\n`);
      expect(savedBytes).toBeLessThan(2 * 1024 * 1024);

      // a training cell, interrupted from the Kernel menu once it has finished two epochs
      const runDir = path.join(tmp, 'interrupted-mf');
      await page.evaluate((code) => {
        const nb = (window as unknown as { Jupyter: { notebook: { insert_cell_at_bottom(t: string): { set_text(s: string): void }; ncells(): number; execute_cells(i: number[]): void } } }).Jupyter.notebook;
        nb.insert_cell_at_bottom('code').set_text(code);
        nb.execute_cells([nb.ncells() - 1]);
      }, TRAIN_CELL(runDir));
      const last = page.locator('.cell.code_cell').last();
      await last.locator('.output_area:has-text("epoch 1:")').waitFor({ timeout: 120_000 });
      await page.click('#kernellink');
      await page.click('#int_kernel');
      await last.locator('.output_area:has-text("run it again to resume")').waitFor({ timeout: 60_000 });
      const out = (await last.locator('.output_area').allTextContents()).join('\n');
      // the interrupt lands in a training step or, on a busy machine, in the epoch's validation scoring
      expect(out).toMatch(/interrupted (at step \d+ \(training batch \d+\)|while scoring \(row \d+ of \d+\)); run it again to resume \(the run resumes after epoch \d+, its last checkpoint\)/);
      // the loop really stopped: no epoch is written after the interrupt
      const stateFile = path.join(runDir, 'state.json');
      const epochs = JSON.parse(fs.readFileSync(stateFile, 'utf8')).nextEpoch as number;
      expect(epochs).toBeGreaterThanOrEqual(2);
      expect(epochs).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 3000));
      expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).nextEpoch).toBe(epochs);
      expect(fs.existsSync(path.join(runDir, 'result.json'))).toBe(false);
    } finally {
      await browser?.close();
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 10_000); });
      for (const f of [copy, path.join(scratch, `.~${name}`)]) fs.rmSync(f, { force: true });
      fs.rmSync(path.join(scratch, '.ipynb_checkpoints', name.replace('.ipynb', '-checkpoint.ipynb')), { force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 480_000);
});
