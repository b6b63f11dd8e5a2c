#!/usr/bin/env node
// Executes notebooks/NN-*.ipynb headless on the tslab kernel (nbconvert's ExecutePreprocessor, Debian's
// Jupyter) at $CFLLM_SCALE=smoke by default, writes executed copies outside notebooks/ (or back into
// them with --in-place), and reports pass/fail per notebook with the failing cell's error.
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureNotebookEnv, SYSTEM_PYTHON } = require('./notebook-env');

const root = path.resolve(__dirname, '..');
const notebooksDir = path.join(root, 'notebooks');
const NOTEBOOK_RE = /^\d\d-[\w.-]+\.ipynb$/;

// Runs one notebook with nbconvert's ExecutePreprocessor (what `jupyter nbconvert --to notebook --execute
// --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=T` runs), driven from Python so the
// partly executed notebook is written even on failure and the failing cell is known. Prints one JSON line.
const DRIVER = `
import json, sys, time, nbformat
from nbconvert.preprocessors import ExecutePreprocessor
src, out, cwd, kernel, timeout = sys.argv[1:6]
class Run(ExecutePreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if self.kernel_start is None: self.kernel_start = time.time() - self.t0
        self.cell = index
        return super().preprocess_cell(cell, resources, index)
nb = nbformat.read(src, as_version=4)
ep = Run(kernel_name=kernel, timeout=int(timeout), record_timing=False)
ep.t0, ep.kernel_start, ep.cell = time.time(), None, None
res = {"ok": True}
try:
    ep.preprocess(nb, {"metadata": {"path": cwd}})
except Exception as e:
    res = {"ok": False, "cell": ep.cell, "kind": type(e).__name__, "message": str(e)[-4000:]}
res["seconds"] = time.time() - ep.t0
res["kernelStart"] = ep.kernel_start
nbformat.write(nb, out)
print(json.dumps(res))
`;

/** The notebook files to run: all NN-*.ipynb, or those whose NN prefix or name is in `only`. */
function listNotebooks(only) {
  const all = fs.existsSync(notebooksDir) ? fs.readdirSync(notebooksDir).filter((f) => NOTEBOOK_RE.test(f)).sort() : [];
  if (!only || only.length === 0) return all;
  const picked = all.filter((f) => only.some((o) => f.startsWith(`${o}-`) || f === o || f === `${o}.ipynb`));
  const unknown = only.filter((o) => !all.some((f) => f.startsWith(`${o}-`) || f === o || f === `${o}.ipynb`));
  if (unknown.length) throw new Error(`--only: no notebook matches ${unknown.join(', ')} (have: ${all.join(', ') || 'none'})`);
  return picked;
}

/** Newest mtime under `dir` (files only). */
function newestMtime(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles src/ -> dist/ when `build` is true, or when 'auto' and dist/ is missing or older than src/. */
function buildLibrary(build, log) {
  const index = path.join(root, 'dist', 'index.js');
  // tsc --incremental rewrites only changed outputs but always its build info: compare src/ with that
  const info = path.join(root, 'dist', '.tsbuildinfo');
  const built = fs.existsSync(index) ? (fs.existsSync(info) ? fs.statSync(info) : fs.statSync(index)).mtimeMs : 0;
  const stale = built < newestMtime(path.join(root, 'src'));
  if (build === false || (build === 'auto' && !stale)) return;
  log('compiling src/ -> dist/ (notebooks import ../dist)');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Text of the outputs of cell `index` (stderr, errors), the last `maxLines` lines. */
function cellErrorText(nb, index, maxLines = 25) {
  const cell = index === null || index === undefined ? null : nb.cells[index];
  if (!cell) return '';
  const lines = [];
  for (const o of cell.outputs ?? []) {
    if (o.output_type === 'stream' && o.name === 'stderr') lines.push(...[].concat(o.text).join('').split('\n'));
    if (o.output_type === 'error') lines.push(`${o.ename}: ${o.evalue}`, ...(o.traceback ?? []));
  }
  const kept = lines.filter((l) => l.trim() !== '' && !/^\s+at .*(node:|node_modules[\\/]tslab)/.test(l));
  return kept.slice(-maxLines).join('\n');
}

/** Un-awaited promise rejections that tslab printed into any cell (they do not fail the cell itself). */
function unhandledRejections(nb) {
  const found = [];
  nb.cells.forEach((c, i) => {
    for (const o of c.outputs ?? []) {
      const text = o.output_type === 'stream' ? [].concat(o.text).join('') : '';
      const m = /UnhandledPromiseRejection: ([^\n]*)/.exec(text);
      if (m) found.push(`cell ${i} printed an un-awaited rejection (from this or an earlier cell; await every promise): ${m[1]}`);
    }
  });
  return found;
}

/** Source of cell `index`, first lines, for the report. */
function cellHead(nb, index) {
  const src = [].concat(nb.cells[index]?.source ?? []).join('');
  return src.split('\n').slice(0, 3).join('\n');
}

/**
 * Executes the notebooks and returns { passed: string[], failed: {name, error}[], outDir }.
 * opts: scale ('smoke'), only (['01', ...]), inPlace (false), outDir (<root>/.cache/notebooks),
 * timeout (s per cell; 900 at smoke, 7200 otherwise), build ('auto' | true | false), quiet (false),
 * figureMode ('static': showFigure writes PNGs only, which GitHub renders; 'both' adds the interactive
 * figures, which draw only where a Jupyter server serves plotly.js),
 * log (line => void).
 * Throws when the notebook environment cannot be prepared (e.g. missing Debian packages, not root).
 */
function runNotebooks(opts = {}) {
  const scale = opts.scale ?? 'smoke';
  const log = opts.log ?? ((l) => process.stdout.write(`${l}\n`));
  const outDir = path.resolve(opts.outDir ?? path.join(root, '.cache', 'notebooks'));
  if (path.relative(notebooksDir, outDir) === '' || !path.relative(notebooksDir, outDir).startsWith('..')) {
    throw new Error(`output folder ${outDir} is inside notebooks/: executed copies must not replace the committed notebooks (use --in-place for that)`);
  }
  const timeout = opts.timeout ?? (scale === 'smoke' ? 900 : 7200);
  const names = listNotebooks(opts.only);
  const result = { passed: [], failed: [], outDir };
  if (names.length === 0) {
    log('notebooks: none found (notebooks/NN-*.ipynb)');
    return result;
  }
  let t = Date.now();
  const nbEnv = ensureNotebookEnv({ quiet: opts.quiet ?? false });
  buildLibrary(opts.build ?? 'auto', log);
  fs.mkdirSync(outDir, { recursive: true });
  // executed copies train their own runs from scratch (shared by the notebooks of this call); --in-place
  // runs use the suite's folders (results/notebooks/<scale>, or the ML-1M table's at paper scale)
  // (one folder per call, so that concurrent calls do not share or delete each other's runs)
  const runsDir = path.join(outDir, 'runs', String(process.pid));
  if (!opts.inPlace) fs.rmSync(runsDir, { recursive: true, force: true });
  const shown = path.relative(root, outDir).startsWith('..') ? outDir : path.relative(root, outDir) || '.';
  log(`notebooks: ${names.length} at scale ${scale}${opts.inPlace ? ', in place' : ''}; executed copies in ${shown}/ (setup ${((Date.now() - t) / 1000).toFixed(1)} s)`);
  for (const name of names) {
    t = Date.now();
    const src = path.join(notebooksDir, name);
    const out = path.join(outDir, name);
    const env = { ...process.env, ...nbEnv, CFLLM_SCALE: scale, NO_COLOR: '1', FORCE_COLOR: '0' };
    // notebooks write figures to their session folder unless told: in place, the README's figures/
    if (opts.inPlace) env.CFLLM_FIGURES_DIR = path.join(root, 'figures');
    else {
      env.CFLLM_FIGURES_DIR = path.join(outDir, 'figures');
      env.CFLLM_RUNS_DIR = runsDir;
    }
    env.CFLLM_FIGURE_MODE = opts.figureMode ?? 'static';
    // kernel cwd = notebooks/, as in Jupyter: notebooks import the library as '../dist'
    const res = spawnSync(SYSTEM_PYTHON, ['-c', DRIVER, src, out, notebooksDir, 'tslab', String(timeout)],
      { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = ((Date.now() - t) / 1000).toFixed(1);
    let report = null;
    try {
      report = JSON.parse(res.stdout.trim().split('\n').pop());
    } catch {
      // the driver itself failed: reported below with its stderr
    }
    let error = null;
    const nb = report && fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : null;
    if (!report || !nb) {
      error = `notebook driver failed (exit ${res.status}): ${(res.stderr || res.error?.message || '').trim().split('\n').slice(-15).join('\n')}`;
    } else if (!report.ok) {
      const where = report.cell === null ? 'before the first cell' : `cell ${report.cell}`;
      const detail = report.cell === null ? '' : cellErrorText(nb, report.cell);
      const message = report.kind === 'CellExecutionError' ? '' : `${report.kind}: ${report.message.split('\n').slice(-5).join('\n')}`;
      error = `${where}${report.cell === null ? '' : ` (${cellHead(nb, report.cell).split('\n')[0]})`}:\n${[detail, message].filter(Boolean).join('\n') || report.message.slice(-2000)}`;
    } else {
      const rejections = unhandledRejections(nb);
      if (rejections.length) error = rejections.join('\n');
    }
    if (error) {
      result.failed.push({ name, error });
      log(`FAIL ${name}  ${seconds} s\n${error.replace(/^/gm, '     ')}`);
      continue;
    }
    if (opts.inPlace) fs.copyFileSync(out, src);
    result.passed.push(name);
    const kernel = report.kernelStart === null ? '' : `; kernel start ${report.kernelStart.toFixed(1)} s`;
    log(`PASS ${name}  ${seconds} s${kernel}${opts.inPlace ? '  (written to notebooks/)' : ''}`);
  }
  if (!opts.inPlace && !opts.keepRuns) fs.rmSync(runsDir, { recursive: true, force: true });
  log(`notebooks: ${result.passed.length} passed, ${result.failed.length} failed`);
  return result;
}

/** Parses the command line into runNotebooks options. */
function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scale') opts.scale = value();
    else if (a === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--in-place') opts.inPlace = true;
    else if (a === '--keep-runs') opts.keepRuns = true;
    else if (a === '--out') opts.outDir = path.resolve(value());
    else if (a === '--timeout') {
      // a plain decimal number of seconds (Number() would also take "0x10" or " 5")
      const v = value();
      if (!/^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(v)) throw new Error(`--timeout: expected a number of seconds written in decimal, got "${v}"`);
      opts.timeout = Number(v);
    }
    else if (a === '--figure-mode') {
      opts.figureMode = value();
      if (!['static', 'both', 'interactive'].includes(opts.figureMode)) throw new Error(`--figure-mode: unknown mode ${opts.figureMode} (static, both, interactive)`);
    }
    else if (a === '--build') opts.build = true;
    else if (a === '--no-build') opts.build = false;
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (opts.timeout !== undefined && !(opts.timeout > 0)) throw new Error('--timeout needs a positive number of seconds');
  return opts;
}

const HELP = `usage: node scripts/run-notebooks.js [--scale smoke|default] [--only 01,03] [--in-place] [--out DIR]
       [--timeout SECONDS_PER_CELL] [--figure-mode both|interactive|static] [--build|--no-build] [--keep-runs]
Executes notebooks/NN-*.ipynb headless on the tslab kernel with CFLLM_SCALE=<scale> (default smoke).
Executed copies go to .cache/notebooks/ (figures to .cache/notebooks/figures/); --in-place writes
passing notebooks back into notebooks/ and their figures into figures/. Figures in the notebooks are
static PNGs (what GitHub shows) unless --figure-mode both|interactive (plotly figures that load plotly.js
from a Jupyter server, so they stay blank in a file viewer). The notebooks' own config cells choose the
scale and figure folder in the browser (npm run lab); here --scale and the folders above win. Exit status 1 if
any failed. Executed copies train their own runs in <out>/runs/<pid> (fresh each call, deleted after it
unless --keep-runs); --in-place runs use
results/notebooks/<scale>/ (paper scale: the ML-1M table's results/runs/), reusing finished runs.`;

module.exports = { runNotebooks, buildLibrary };

if (require.main === module) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    const r = runNotebooks(opts);
    process.exit(r.failed.length === 0 ? 0 : 1);
  } catch (e) {
    process.stderr.write(`run-notebooks: ${e.message}\n`);
    process.exit(1);
  }
}
