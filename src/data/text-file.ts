// Reading text data files (plain or .gz, UTF-8 or latin-1) line by line, with errors that name the
// file and the 1-based line. Used by every reader in src/data. Reference: docs/validation.md §5.
import * as fs from 'fs';
import * as zlib from 'zlib';

/** An error in a data file, naming the file and (when known) the 1-based line. */
export class DataFileError extends Error {
  constructor(readonly file: string, readonly line: number | null, detail: string) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${detail}`);
    this.name = 'DataFileError';
  }
}

/**
 * Text encodings the readers accept: the file's usual encoding. Either way a file that is valid UTF-8 is
 * read as UTF-8, and each line that is not is read as latin-1 (MovieLens' .dat files are latin-1 in places,
 * and re-saved copies are UTF-8); a byte-order mark (UTF-8, UTF-16 LE/BE) decides the encoding outright.
 */
export type TextEncoding = 'utf8' | 'latin1';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
}

/** UTF-8 where valid, else latin-1, line by line (a line never mixes the two in practice). */
function decodeMixed(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const parts: string[] = [];
    let start = 0;
    while (start <= bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const line = bytes.subarray(start, end);
      let text: string;
      try {
        text = strictUtf8.decode(line);
      } catch {
        text = line.toString('latin1');
      }
      parts.push(text);
      start = end + 1;
    }
    return parts.join('\n');
  }
}

/** Decodes a file's bytes: byte-order marks first, then UTF-8 with a per-line latin-1 fallback. */
function decodeText(file: string, bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return strictOr(file, bytes.subarray(3));
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const le = Buffer.from(bytes.subarray(2));
    le.swap16();
    return le.toString('utf16le');
  }
  // UTF-16 without a byte-order mark: every other byte of ASCII text is zero
  const probe = bytes.subarray(0, 4096);
  let zeros = 0;
  for (const b of probe) if (b === 0) zeros++;
  if (probe.length >= 4 && zeros > probe.length / 4) {
    throw new DataFileError(file, null, `${zeros} of its first ${probe.length} bytes are zero: this looks like UTF-16 without a byte-order mark or a binary file; save it as UTF-8 text`);
  }
  return decodeMixed(bytes);
}

function strictOr(file: string, bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new DataFileError(file, null, 'starts with a UTF-8 byte-order mark but is not valid UTF-8; save it as UTF-8 again');
  }
}

/**
 * The whole file as text. Gzip is recognised by its magic bytes: a .gz that is not gzip, or a truncated
 * one, names the file; a gzip file without .gz is decompressed all the same. A folder, a missing file
 * and an unreadable one are errors naming the path.
 */
export function readTextFile(file: string, _encoding: TextEncoding = 'utf8'): string {
  if (!fs.existsSync(file)) throw new DataFileError(file, null, 'file not found');
  if (fs.statSync(file).isDirectory()) throw new DataFileError(file, null, 'is a folder, expected a file');
  const raw = fs.readFileSync(file);
  let bytes: Buffer = raw;
  if (file.endsWith('.gz') && !isGzip(raw)) {
    const what = raw.length === 0 ? 'is empty' : `does not start with the gzip bytes 1f 8b (it starts with ${[...raw.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
    throw new DataFileError(file, null, `not a gzip file: it ${what}; if it is plain text, remove the .gz from its name`);
  }
  if (isGzip(raw)) {
    try {
      bytes = zlib.gunzipSync(raw);
    } catch (e) {
      throw new DataFileError(file, null, `not a complete gzip file (${(e as Error).message}); the download or copy may be truncated`);
    }
  }
  return decodeText(file, bytes);
}

/**
 * Calls fn(line, lineNo) for each non-empty line (lineNo is 1-based); LF, CRLF and (when the file has no
 * LF at all) CR line ends all work; a trailing newline is fine. @returns the number of non-empty lines
 */
export function forEachLine(file: string, encoding: TextEncoding, fn: (line: string, lineNo: number) => void): number {
  const text = readTextFile(file, encoding);
  const nl = text.includes('\n') ? '\n' : '\r';
  let start = 0, lineNo = 0, count = 0;
  while (start < text.length) {
    let end = text.indexOf(nl, start);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length > 0) {
      fn(line, lineNo);
      count++;
    }
    start = end + 1;
  }
  return count;
}

/** Throws naming the file when it held no rows (`what` says what a row is, e.g. "ratings"). */
export function requireRows(file: string, rows: number, what: string): void {
  if (rows === 0) throw new DataFileError(file, null, `no ${what}: the file is empty (or holds only blank lines or a header); restore it from the original download`);
}

/** Splits a line into exactly n fields on sep, or throws naming file and line. */
export function splitFields(line: string, sep: string, n: number, file: string, lineNo: number): string[] {
  const f = line.split(sep);
  if (f.length !== n) throw new DataFileError(file, lineNo, `expected ${n} fields separated by "${sep === '\t' ? '\\t' : sep}", found ${f.length}`);
  return f;
}

/** Parses an integer field, or throws naming file, line and field. */
export function intField(text: string, field: string, file: string, lineNo: number): number {
  // plain decimal digits only: Number() would also take "0x10", "1e3" and "" (as 16, 1000 and 0)
  const v = Number(text);
  if (!/^\s*-?[0-9]+\s*$/.test(text) || !Number.isSafeInteger(v)) throw new DataFileError(file, lineNo, `field ${field}: "${text}" is not an integer`);
  return v;
}
