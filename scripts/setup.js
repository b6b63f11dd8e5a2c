#!/usr/bin/env node
// Prepares a fresh checkout: checks Node, installs the locked npm packages when node_modules is
// missing or older than package-lock.json, and compiles src/ to dist/. Run by `npm test` and
// `npm run demo` before anything else, so both work on a fresh machine. Also builds the optional
// native GEMM addon (native/) against a system BLAS (as root on Debian/Ubuntu it installs libopenblas-dev
// first); without one the kit uses XNNPACK.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { aptInstall, hasDpkg, isRoot, missingPackages } = require('./debian');

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

/** The Debian package that provides cblas.h and libopenblas (the addon's BLAS). */
const BLAS_PACKAGE = 'libopenblas-dev';

/**
 * As root on Debian/Ubuntu installs BLAS_PACKAGE and returns findBlas(); otherwise (or when apt fails)
 * says how to get the fast path and returns null: the kit then runs every matmul on XNNPACK.
 */
function installBlas() {
  const how = `apt-get install ${BLAS_PACKAGE} enables the fast matmul path; CFLLM_NATIVE=0 silences this`;
  if (process.platform !== 'linux' || !hasDpkg() || !isRoot() || missingPackages([BLAS_PACKAGE]).length === 0) {
    log(`native GEMM skipped: no system BLAS headers (${isRoot() || !hasDpkg() ? '' : 'sudo '}${how})`);
    return null;
  }
  try {
    aptInstall([BLAS_PACKAGE], log);
  } catch (e) {
    log(`native GEMM skipped: installing ${BLAS_PACKAGE} failed (${String(e.stderr || e.message).trim().split('\n').pop()}); using XNNPACK`);
    return null;
  }
  return findBlas();
}

/** Builds native/build/Release/kitgemm.node when missing or stale; any failure only disables the fast path. */
function buildNative() {
  const dir = path.join(root, 'native');
  const addon = path.join(dir, 'build', 'Release', 'kitgemm.node');
  if (process.env.CFLLM_NATIVE === '0') return;
  const sources = ['kitgemm.cc', 'binding.gyp'].map((f) => fs.statSync(path.join(dir, f)).mtimeMs);
  if (fs.existsSync(addon) && fs.statSync(addon).mtimeMs > Math.max(...sources)) return;
  const blas = findBlas() ?? installBlas();
  if (!blas) return;
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
