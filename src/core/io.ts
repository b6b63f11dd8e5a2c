// Crash-safe file writes: write to a temporary file in the same folder, then rename over the target,
// so a killed run never leaves a half-written result or checkpoint. Reference: POSIX rename(2) atomicity.
import * as fs from 'fs';
import * as path from 'path';

/** Write bytes or text atomically, creating parent folders. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Write a JSON value atomically (2-space indent; non-finite numbers become null). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

/** Read a JSON file, naming the file in any parse error. */
export function readJson<T>(file: string): T {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
  }
}
