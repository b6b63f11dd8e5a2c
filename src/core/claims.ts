// Claim files: several processes sharing a list of runs (one per core) each take the next run nobody
// holds, and a small lock serialises read-modify-write of a shared results file. A claim is a file
// created exclusively (O_EXCL) holding the owner's pid and host; a claim whose process is gone (same
// host) is stale and taken over, so a killed worker never blocks the runs it held.
// Reference: open(2) O_CREAT|O_EXCL; kill(2) with signal 0.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What a claim file holds. */
export interface ClaimInfo {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** A claim file whose content cannot be read yet is taken as live for this long (its owner is writing it). */
const UNREADABLE_GRACE_MS = 60_000;

/** Whether a process of this host with that pid exists (one we may not signal counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner of a claim, or null when there is no claim file. */
export function readClaim(file: string): ClaimInfo | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimInfo;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { pid: -1, host: '?', since: '?' };
  }
}

/** Whether the claim's process is gone: same host and no such pid, or unreadable for over a minute. */
function isStale(file: string): boolean {
  const c = readClaim(file);
  if (c === null) return true;
  if (c.pid === -1) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return true;
    }
  }
  return c.host === os.hostname() && c.pid !== process.pid && !processAlive(c.pid);
}

/**
 * Take the claim `file` for this process: true when it was free or stale (then it is ours), false when
 * a live process holds it. This process's own claim counts as held (false).
 */
export function tryClaim(file: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() } satisfies ClaimInfo));
      } finally {
        fs.closeSync(fd);
      }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`could not create the claim file ${file}: ${(e as Error).message}`);
      if (!isStale(file)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

/** Whether a live process other than this one holds the claim `file`. */
export function heldByOther(file: string): boolean {
  const c = readClaim(file);
  return c !== null && !(c.pid === process.pid && c.host === os.hostname()) && !isStale(file);
}

/** Give up a claim this process holds (a claim held by another process is left alone). */
export function releaseClaim(file: string): void {
  const c = readClaim(file);
  if (c !== null && c.pid === process.pid && c.host === os.hostname()) fs.rmSync(file, { force: true });
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run f while holding the lock file `lock` (waits up to timeoutMs for another process to release it;
 * a lock left by a dead process is taken over). Throws, naming the lock file, when it stays held.
 */
export function withFileLock<T>(lock: string, f: () => T, timeoutMs = 60_000): T {
  const until = Date.now() + timeoutMs;
  while (!tryClaim(lock)) {
    if (Date.now() > until) {
      const c = readClaim(lock);
      throw new Error(`the lock ${lock} is still held after ${timeoutMs / 1000} s${c ? ` by pid ${c.pid} on ${c.host} since ${c.since}` : ''}; if no such process runs, delete the file`);
    }
    sleepSync(50);
  }
  try {
    return f();
  } finally {
    releaseClaim(lock);
  }
}
