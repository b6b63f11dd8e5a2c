#!/usr/bin/env node
// Prepares notebook runs (headless, or a Jupyter server for the browser with `server: true`): checks (as
// root: installs) Debian's Jupyter and chromium packages, registers the tslab kernel under <repo>/.jupyter
// with Debian's system python, and returns the env that keeps every Jupyter/IPython/XDG folder (and the
// kernel's registration, through JUPYTER_PATH) inside the repository. Reference: docs/environment.md §4.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { aptInstall, hasDpkg, isRoot, missingPackages } = require('./debian');

const root = path.resolve(__dirname, '..');
const jupyterDir = path.join(root, '.jupyter');

/** Debian packages the notebook runner and the figure exporter need (a font, or PNG text is blank on bare images). */
const DEBIAN_PACKAGES = ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'python3-ipython', 'chromium', 'fonts-dejavu-core'];

/** Debian's own interpreter: the one apt's python3-* packages serve (a pyenv python3 on PATH has no Jupyter). */
const SYSTEM_PYTHON = '/usr/bin/python3';

/** The Debian package of the Jupyter server that `npm run lab` and the browser test start (Notebook 6; Debian has no JupyterLab). */
const SERVER_PACKAGES = ['jupyter-notebook'];

/** The command that installs `packages` (default DEBIAN_PACKAGES). */
function aptCommand(packages = DEBIAN_PACKAGES) {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}
const APT_COMMAND = aptCommand();

/** Checks the Debian packages; installs the missing ones as root, else throws naming the apt-get command. */
function ensurePackages(log, packages = DEBIAN_PACKAGES) {
  const missing = missingPackages(packages);
  if (missing.length === 0) return;
  if (!hasDpkg()) {
    throw new Error(`notebooks need Debian packages (${packages.join(', ')}) and dpkg is not available here; ` +
      `on Debian/Ubuntu run: sudo ${aptCommand(packages)}`);
  }
  if (!isRoot()) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Install them with:\n  sudo ${aptCommand(packages)}`);
  }
  aptInstall(missing, log);
  const still = missingPackages(missing);
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.join(', ')} (try: ${aptCommand(packages)})`);
}

/** The folders Jupyter, IPython and XDG-aware tools use, all under <repo>/.jupyter. */
function notebookDirs() {
  return {
    JUPYTER_PATH: path.join(jupyterDir, 'share', 'jupyter'),
    JUPYTER_CONFIG_DIR: path.join(jupyterDir, 'config'),
    JUPYTER_DATA_DIR: path.join(jupyterDir, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(jupyterDir, 'runtime'),
    IPYTHONDIR: path.join(jupyterDir, 'ipython'),
    XDG_CONFIG_HOME: path.join(jupyterDir, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(jupyterDir, 'xdg', 'cache'),
    XDG_DATA_HOME: path.join(jupyterDir, 'xdg', 'data'),
  };
}

/** The tslab kernel.json under .jupyter; registered when missing or pointing at another binary. */
function ensureKernel(env, log) {
  const binary = path.join(root, 'node_modules', '.bin', 'tslab');
  if (!fs.existsSync(binary)) throw new Error(`tslab is not installed (${binary} missing): run npm install`);
  const spec = path.join(env.JUPYTER_PATH, 'kernels', 'tslab', 'kernel.json');
  try {
    if (JSON.parse(fs.readFileSync(spec, 'utf8')).argv[0] === binary) return;
  } catch {
    // not registered yet, or unreadable: register below
  }
  log(`registering the tslab kernel in ${path.relative(root, env.JUPYTER_PATH)}`);
  execFileSync(process.execPath, [binary, 'install', '--python', SYSTEM_PYTHON, '--prefix', jupyterDir, '--binary', binary],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Makes the machine ready to execute the notebooks headless (and, with `server`, to serve them to a
 * browser: Debian's jupyter-notebook too) and returns the env vars to add to process.env: JUPYTER_PATH /
 * _CONFIG_DIR / _DATA_DIR / _RUNTIME_DIR, IPYTHONDIR and XDG_* (all inside <repo>/.jupyter), and PATH with
 * this Node first (the kernel binary is a `#!/usr/bin/env node` script).
 * Idempotent; when everything is in place it only runs `dpkg -s` and reads kernel.json.
 */
function ensureNotebookEnv({ quiet = false, server = false } = {}) {
  const log = quiet ? () => {} : (m) => process.stderr.write(`[notebook-env] ${m}\n`);
  ensurePackages(log, server ? [...DEBIAN_PACKAGES, ...SERVER_PACKAGES] : DEBIAN_PACKAGES);
  const env = notebookDirs();
  for (const dir of Object.values(env)) fs.mkdirSync(dir, { recursive: true });
  ensureKernel(env, log);
  const nodeDir = path.dirname(process.execPath);
  return { ...env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}` };
}

module.exports = { ensureNotebookEnv, DEBIAN_PACKAGES, SERVER_PACKAGES, SYSTEM_PYTHON, APT_COMMAND, aptCommand };

if (require.main === module) {
  try {
    const env = ensureNotebookEnv({ quiet: false });
    for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${JSON.stringify(v)}\n`);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
