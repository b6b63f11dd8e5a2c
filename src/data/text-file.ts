// Reading text data files (plain or .gz, UTF-8 or latin-1) line by line, with errors that name the
// file and the 1-based line. Used by every reader in src/data.
import * as fs from 'fs';
import * as zlib from 'zlib';

/** An error in a data file, naming the file and (when known) the 1-based line. */
export class DataFileError extends Error {
  constructor(readonly file: string, readonly line: number | null, detail: string) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${detail}`);
    this.name = 'DataFileError';
  }
}

/** Text encodings the readers accept. */
export type TextEncoding = 'utf8' | 'latin1';

/** The whole file as text; .gz files are decompressed, and a truncated or corrupt gzip names the file. */
export function readTextFile(file: string, encoding: TextEncoding = 'utf8'): string {
  if (!fs.existsSync(file)) throw new DataFileError(file, null, 'file not found');
  const raw = fs.readFileSync(file);
  let bytes: Buffer = raw;
  if (file.endsWith('.gz')) {
    try {
      bytes = zlib.gunzipSync(raw);
    } catch (e) {
      throw new DataFileError(file, null, `not a complete gzip file (${(e as Error).message}); the download or copy may be truncated`);
    }
  }
  return bytes.toString(encoding);
}

/** Calls fn(line, lineNo) for each non-empty line (lineNo is 1-based); a trailing newline is fine. */
export function forEachLine(file: string, encoding: TextEncoding, fn: (line: string, lineNo: number) => void): void {
  const text = readTextFile(file, encoding);
  let start = 0, lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length > 0) fn(line, lineNo);
    start = end + 1;
  }
}

/** Splits a line into exactly n fields on sep, or throws naming file and line. */
export function splitFields(line: string, sep: string, n: number, file: string, lineNo: number): string[] {
  const f = line.split(sep);
  if (f.length !== n) throw new DataFileError(file, lineNo, `expected ${n} fields separated by "${sep === '\t' ? '\\t' : sep}", found ${f.length}`);
  return f;
}

/** Parses an integer field, or throws naming file, line and field. */
export function intField(text: string, field: string, file: string, lineNo: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v)) throw new DataFileError(file, lineNo, `field ${field}: "${text}" is not an integer`);
  return v;
}
