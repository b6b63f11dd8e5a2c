#!/usr/bin/env node
// Runs the vitest suite (arguments are passed through, e.g. a file filter) and ends with the plain
// line CI reads: "N passed, N failed". Exit status is vitest's.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const report = path.join(root, '.vitest-report.json');
fs.rmSync(report, { force: true });
const res = spawnSync(process.execPath, [
  path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
  '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2),
], { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });

let passed = 0, failed = 0;
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  // a test file that fails to load has no failed assertion but must count as a failure
  const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  failed = (r.numFailedTests ?? 0) + brokenFiles;
} else {
  failed = 1;
  process.stderr.write('vitest wrote no report: counting the run as failed\n');
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(res.status === 0 && failed === 0 ? 0 : 1);
