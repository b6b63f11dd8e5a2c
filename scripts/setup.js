#!/usr/bin/env node
// Prepares a fresh checkout: checks Node, installs the locked npm packages when node_modules is
// missing or older than package-lock.json, and compiles src/ to dist/. Run by `npm test` and
// `npm run demo` before anything else, so both work on a fresh machine.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const log = (m) => process.stderr.write(`[setup] ${m}\n`);

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    log(`Node ${process.versions.node} is too old: the kit needs Node >= 20`);
    process.exit(1);
  }
}

function needsInstall() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return 'node_modules is missing';
  const lock = path.join(root, 'package-lock.json');
  if (fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000) return 'package-lock.json changed';
  for (const dep of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'typescript', 'vitest']) {
    if (!fs.existsSync(path.join(root, 'node_modules', dep, 'package.json'))) return `${dep} is missing`;
  }
  return null;
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
}

checkNode();
const why = needsInstall();
if (why) {
  log(`${why}: running npm ci (npm registry only; nothing else is downloaded)`);
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
log('compiling src/ -> dist/');
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')]);
