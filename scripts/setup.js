#!/usr/bin/env node
// Prepares a fresh checkout: checks Node, installs the locked npm packages when node_modules is
// missing or older than package-lock.json, and compiles src/ to dist/. Run by `npm test` and
// `npm run demo` before anything else, so both work on a fresh machine. Also builds the optional
// native GEMM addon (native/) when a system BLAS is present; without one the kit uses XNNPACK.
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

/** Headers of a system BLAS, or null. */
function findBlas() {
  if (process.platform === 'darwin') return 'Accelerate';
  const dirs = ['/usr/include/x86_64-linux-gnu/openblas-pthread', '/usr/include/aarch64-linux-gnu/openblas-pthread', '/usr/include/openblas', '/usr/include'];
  return dirs.find((d) => fs.existsSync(path.join(d, 'cblas.h'))) ?? null;
}

/** Builds native/build/Release/kitgemm.node when missing or stale; any failure only disables the fast path. */
function buildNative() {
  const dir = path.join(root, 'native');
  const addon = path.join(dir, 'build', 'Release', 'kitgemm.node');
  if (process.env.CFLLM_NATIVE === '0') return;
  const sources = ['kitgemm.cc', 'binding.gyp'].map((f) => fs.statSync(path.join(dir, f)).mtimeMs);
  if (fs.existsSync(addon) && fs.statSync(addon).mtimeMs > Math.max(...sources)) return;
  const blas = findBlas();
  if (!blas) {
    log('native GEMM skipped: no system BLAS headers (apt-get install libopenblas-dev enables the fast matmul path)');
    return;
  }
  const gyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!fs.existsSync(gyp)) {
    log(`native GEMM skipped: npm's bundled node-gyp not found at ${gyp}`);
    return;
  }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const args = [gyp, 'rebuild', '--silent'];
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  log(`building the native GEMM addon against ${blas}`);
  try {
    execFileSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });
    log(`native GEMM build failed, using XNNPACK instead: ${String(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

checkNode();
const why = needsInstall();
if (why) {
  log(`${why}: running npm ci (npm registry only; nothing else is downloaded)`);
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
buildNative();
log('compiling src/ -> dist/');
run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')]);
