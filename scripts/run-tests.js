#!/usr/bin/env node
// Runs the vitest suite (arguments are passed through, e.g. a file filter), then executes every notebook
// headless at smoke scale (each notebook counts as one test; skipped when a file filter is given or
// CFLLM_SKIP_NOTEBOOKS=1), and ends with the plain line CI reads: "N passed, N failed, N skipped".
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const report = path.join(root, '.vitest-report.json');

/** Runs vitest with extra args and env; returns [passed, failed, skipped, exitStatus]. */
function vitest(args, env) {
  fs.rmSync(report, { force: true });
  const res = spawnSync(process.execPath, [
    path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--dir', 'test',
    '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...args,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env } });
  if (!fs.existsSync(report)) {
    process.stderr.write('vitest wrote no report: counting the run as failed\n');
    return [0, 1, 0, res.status];
  }
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  // a test file that fails to load has no failed assertion but must count as a failure
  const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  return [r.numPassedTests ?? 0, (r.numFailedTests ?? 0) + brokenFiles, (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0), res.status];
}

const userArgs = process.argv.slice(2);
const withNotebooks = userArgs.length === 0 && process.env.CFLLM_SKIP_NOTEBOOKS !== '1';
// set up Jupyter (with its server) and Chromium first, so that the figure-export and browser tests run on
// a fresh machine too (a failure here is reported again, and counted, when the notebooks run)
if (withNotebooks) {
  try {
    require('./notebook-env').ensureNotebookEnv({ server: true });
  } catch (e) {
    process.stderr.write(`notebook set-up failed (the figure-export and browser tests will skip): ${e.message}\n`);
  }
}
let [passed, failed, skipped, status] = vitest(userArgs, {});
// with the native GEMM addon built, run the matmul-dependent tests again on the XNNPACK path
const addon = path.join(root, 'native', 'build', 'Release', 'kitgemm.node');
if (userArgs.length === 0 && fs.existsSync(addon) && process.env.CFLLM_NATIVE !== '0') {
  process.stdout.write('\nsecond pass: matmul-dependent tests without the native addon (CFLLM_NATIVE=0, XNNPACK path)\n');
  const [p2, f2, k2, s2] = vitest(['test/backend/wasm-kernels.test.ts', 'test/backend/fused-ops.test.ts', 'test/llm/decoder.test.ts', 'test/llm/adapters.test.ts', 'test/llm/golden-stories260k.test.ts'], { CFLLM_NATIVE: '0' });
  passed += p2;
  failed += f2;
  skipped += k2;
  if (s2 !== 0) status = s2;
}
const notebookCount = fs.readdirSync(path.join(root, 'notebooks')).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).length;
if (!withNotebooks) {
  process.stdout.write(`\nnotebooks: ${notebookCount} skipped (${userArgs.length ? 'a file filter was given' : 'CFLLM_SKIP_NOTEBOOKS=1'})\n`);
  skipped += notebookCount;
}
if (withNotebooks) {
  process.stdout.write('\nnotebooks: every notebooks/NN-*.ipynb executed headless at smoke scale (tslab kernel)\n');
  try {
    const { runNotebooks } = require('./run-notebooks');
    const nb = runNotebooks({ scale: 'smoke', build: 'auto' });
    passed += nb.passed.length;
    failed += nb.failed.length;
    if (nb.failed.length) status = 1;
  } catch (e) {
    process.stderr.write(`notebooks could not run: ${e.message}\n`);
    failed += 1;
    status = 1;
  }
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
