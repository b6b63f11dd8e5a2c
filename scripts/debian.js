// Debian package checks shared by the set-up scripts: which packages dpkg reports as installed, and an
// apt-get install (root only) that refreshes the package lists and retries once when it fails.
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');

/** Whether dpkg exists here (Debian/Ubuntu). */
function hasDpkg() {
  return fs.existsSync('/usr/bin/dpkg');
}

/** Whether this process runs as root. */
function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The packages of `names` that dpkg does not report as installed (all of them when dpkg is absent). */
function missingPackages(names) {
  const res = spawnSync('dpkg', ['-s', ...names], { encoding: 'utf8' });
  if (res.error) return names.slice();
  const installed = new Set();
  for (const block of res.stdout.split(/\n\s*\n/)) {
    const name = /^Package: (\S+)/m.exec(block)?.[1];
    if (name && /^Status: .* installed$/m.test(block)) installed.add(name);
  }
  return names.filter((n) => !installed.has(n));
}

/** Installs `pkgs` with apt-get (root only); runs apt-get update and retries once when the install fails. Throws on failure. */
function aptInstall(pkgs, log) {
  const opts = { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], opts);
  log(`installing Debian packages: ${pkgs.join(' ')}`);
  try {
    install();
  } catch {
    log('apt-get install failed; running apt-get update and retrying');
    execFileSync('apt-get', ['update'], opts);
    install();
  }
}

module.exports = { hasDpkg, isRoot, missingPackages, aptInstall };
