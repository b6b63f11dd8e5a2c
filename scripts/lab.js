#!/usr/bin/env node
// `npm run lab`: starts Jupyter from the project root with the tslab kernel visible (JUPYTER_PATH points
// at its registration under .jupyter/), after installing what is missing (as root; else it names the
// apt-get command) and compiling src/ to dist/. JupyterLab when `jupyter-lab` is on PATH, else Debian's
// Jupyter Notebook. Reference: README "Notebooks"; scripts/notebook-env.js.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureNotebookEnv } = require('./notebook-env');
const { buildLibrary } = require('./run-notebooks');

const root = path.resolve(__dirname, '..');
const DEBIAN_NOTEBOOK = '/usr/bin/jupyter-notebook';

/** An executable `name` on PATH, or null. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const f = path.join(dir, name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return f;
    } catch {
      // not here
    }
  }
  return null;
}

/** Which server to start: 'lab' (jupyter-lab on PATH) or 'notebook' (Debian's), for ui 'auto' | 'lab' | 'notebook'. */
function pickServer(ui = 'auto') {
  if (!['auto', 'lab', 'notebook'].includes(ui)) throw new Error(`--ui: unknown value ${ui} (auto, lab, notebook)`);
  const lab = onPath('jupyter-lab');
  if (ui === 'lab' && !lab) throw new Error('--ui lab: jupyter-lab is not on PATH (Debian has no JupyterLab package; pip install jupyterlab, or use --ui notebook)');
  if (ui === 'lab' || (ui === 'auto' && lab)) return { ui: 'lab', exe: lab, app: 'ServerApp' };
  const nb = fs.existsSync(DEBIAN_NOTEBOOK) ? DEBIAN_NOTEBOOK : onPath('jupyter-notebook');
  if (!nb) throw new Error('no Jupyter server found: run npm run lab as root to install Debian\'s jupyter-notebook, or: sudo apt-get install -y --no-install-recommends jupyter-notebook');
  const v = spawnSync(nb, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { ui: 'notebook', exe: nb, app: Number(v.split('.')[0]) >= 7 ? 'ServerApp' : 'NotebookApp' };
}

/**
 * Starts Jupyter from the project root. opts: ui ('auto'), port (8888), open (true: open a browser),
 * token (Jupyter's default when absent), extraArgs ([]), stdio ('inherit': Jupyter's output on this
 * terminal; 'pipe': only through `url`), quiet, build ('auto'), env (extra variables for server and kernels).
 * Returns { child, server, url } where url resolves to the first http URL Jupyter prints (with its token).
 */
function startJupyter(opts = {}) {
  const env = { ...process.env, ...ensureNotebookEnv({ quiet: opts.quiet ?? false, server: true }), CFLLM_JUPYTER_ROOT: root, ...(opts.env ?? {}) };
  buildLibrary(opts.build ?? 'auto', opts.quiet ? () => {} : (l) => process.stderr.write(`[lab] ${l}\n`));
  const server = pickServer(opts.ui);
  const dir = server.app === 'NotebookApp' ? `--notebook-dir=${root}` : `--ServerApp.root_dir=${root}`;
  const args = [dir, `--port=${opts.port ?? 8888}`, '--ip=127.0.0.1'];
  if (opts.open === false) args.push('--no-browser');
  if (opts.token !== undefined) args.push(`--${server.app}.token=${opts.token}`);
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--allow-root');
  args.push(...(opts.extraArgs ?? []));
  const interactive = (opts.stdio ?? 'inherit') === 'inherit';
  // a terminal's stdin lets Jupyter ask "Shutdown this server?" on Ctrl-C, as when started by hand
  const child = spawn(server.exe, args, { cwd: root, env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
  const url = new Promise((resolve, reject) => {
    let seen = '';
    const scan = (chunk) => {
      seen += chunk;
      const m = /(http:\/\/(?:127\.0\.0\.1|localhost)[^\s]*)/.exec(seen);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    child.on('exit', (code) => reject(new Error(`Jupyter exited (${code}) before serving: ${seen.trim().split('\n').slice(-5).join(' | ')}`)));
  });
  url.catch(() => undefined);
  if (interactive) {
    child.stdout.pipe(process.stdout);
    child.stderr.pipe(process.stderr);
  }
  return { child, server, url };
}

const HELP = `usage: npm run lab [-- --ui auto|lab|notebook] [--port N] [--no-browser] [-- <jupyter args>]
Starts Jupyter from the project root with the tslab kernel registered (JUPYTER_PATH=.jupyter/share/jupyter),
after installing Debian's Jupyter + chromium when run as root (otherwise it names the apt-get command) and
compiling src/ to dist/. Open notebooks/ and pick the "TypeScript" kernel; the config cell of each
notebook sets its scale and where its figures go.`;

/** Parses the command line into startJupyter options. */
function parseArgs(argv) {
  const opts = { extraArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ui') opts.ui = argv[++i];
    else if (a === '--port') {
      opts.port = Number(argv[++i]);
      if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error(`--port: need an integer 1-65535 (got ${argv[i]})`);
    } else if (a === '--no-browser') opts.open = false;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--') opts.extraArgs.push(...argv.slice(i + 1)), i = argv.length;
    else throw new Error(`unknown argument ${a} (try --help; pass Jupyter's own options after --)`);
  }
  return opts;
}

module.exports = { startJupyter, pickServer };

if (require.main === module) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    const { child, server } = startJupyter(opts);
    process.stderr.write(`[lab] starting ${server.ui === 'lab' ? 'JupyterLab' : 'Jupyter Notebook'} (${server.exe}) in ${root}; Ctrl-C stops it\n`);
    // Ctrl-C reaches Jupyter directly (same process group); stay alive until it exits
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.on('exit', (code) => process.exit(code ?? 0));
  } catch (e) {
    process.stderr.write(`lab: ${e.message}\n`);
    process.exit(1);
  }
}
