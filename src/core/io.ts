// Crash-safe file writes: write to a temporary file in the same folder, then rename over the target,
// so a killed run never leaves a half-written result or checkpoint; a failed write removes its temp file
// and names the target. Reference: POSIX rename(2) atomicity; docs/validation.md §3.
import * as fs from 'fs';
import * as path from 'path';

/** Write bytes or text atomically, creating parent folders. On any failure (full disk, the target is a
 * folder, no permission) the temporary file is removed and the error names the target file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  let triedTmp = false;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    triedTmp = true;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (triedTmp) removeQuietly(tmp);
    throw writeError(file, e);
  }
}

function isFile(p: string): boolean {
  try {
    return fs.lstatSync(p).isFile();
  } catch {
    return false;
  }
}

/** Removes a partly written temp file; the original error matters more than a failed clean-up. */
function removeQuietly(tmp: string): void {
  if (!isFile(tmp)) return;
  try {
    fs.rmSync(tmp, { force: true });
  } catch {
    /* reported through the write error */
  }
}

function writeError(file: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? 'the disk is full: free space and run the command again (completed work is kept)'
    : err.code === 'EDQUOT' ? 'the disk quota is used up: free space and run the command again'
    : err.code === 'EISDIR' || err.code === 'ENOTEMPTY' || err.code === 'EEXIST' ? 'a folder is in the way: remove or rename it, or write elsewhere'
    : err.code === 'ENOTDIR' ? 'a part of the path is a file, not a folder: choose another output path'
    : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'the folder is not writable: choose another output folder'
    : 'check the path and the disk';
  return new Error(`could not write ${file}: ${err.code ?? 'error'} (${err.message}); no temporary file is left; ${hint}`);
}

/** Write a JSON value atomically (2-space indent; non-finite numbers become null). */
export function writeJsonAtomic(file: string, value: unknown): void {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
  } catch (e) {
    throw new Error(`could not write ${file}: the value is not JSON-serialisable (${(e as Error).message})`);
  }
  writeFileAtomic(file, text);
}

/** Read a JSON file, naming the file in any parse error. */
export function readJson<T>(file: string): T {
  const text = readUtf8File(file, 'a JSON file');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

/** Read a UTF-8 text file, naming the file when it is missing, is a folder or cannot be read. */
export function readUtf8File(file: string, what = 'a file'): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path`);
  }
  if (st.isDirectory()) throw new Error(`${file}: is a folder, expected ${what}`);
  return fs.readFileSync(file, 'utf8');
}
