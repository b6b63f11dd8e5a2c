// Content hashes for provenance: sha256 over sorted relative paths and file contents, so the same
// files give the same hash on any machine and in any folder. Covers the kit's code (src/, native/
// sources, package-lock.json), a dataset's files (or its generator config) and an LLM folder; large
// files are hashed once and then looked up by path + size + mtime in a cache file.
// Reference: docs/methods.md §12 (provenance of results); FIPS 180-4 (SHA-256).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from './io';
import { projectRoot } from './paths';

/** What a dataset is made of: files on disk, or a generator and its config (the synthetic world). */
export type DatasetContent =
  | {
      readonly kind: 'files';
      /** Folder the relative paths are taken from (not part of the hash). */
      readonly dir: string;
      /** Files the loader reads (absolute, or relative to the working folder). */
      readonly files: readonly string[];
      /** A deterministic transform applied after loading (e.g. "withGenresInTitles"); part of the hash when set. */
      readonly transform?: string;
    }
  | {
      readonly kind: 'generated';
      /** Generator name, e.g. "syntheticWorld". */
      readonly generator: string;
      /** Everything that determines the generated rows (generator config, protocol), JSON-serialisable. */
      readonly config: unknown;
    };

/** The paths codeHash covers, relative to the project root. */
export const CODE_PATHS = ['src', 'native', 'package-lock.json'] as const;

/** Folders never part of the code hash (build outputs, installed packages). */
const SKIPPED_DIRS = new Set(['build', 'node_modules', '.git']);

/** sha256 of bytes or text as 64 lowercase hex characters. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return v;
  });
}

/** sha256 of one file's bytes, streamed in 8 MiB chunks (weights of several GB never sit in memory). */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Where cached file hashes live by default: <project>/.cache/file-hashes.json (git-ignored). */
export function defaultHashCacheFile(): string {
  return path.join(projectRoot(), '.cache', 'file-hashes.json');
}

interface CacheEntry { size: number; mtimeMs: number; sha256: string }
const memo = new Map<string, Record<string, CacheEntry>>();

function readCache(cacheFile: string): Record<string, CacheEntry> {
  let c = memo.get(cacheFile);
  if (!c) {
    try {
      c = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<string, CacheEntry>;
    } catch {
      c = {};
    }
    memo.set(cacheFile, c);
  }
  return c;
}

/**
 * sha256 of a file, taken from `cacheFile` when the file's absolute path, size and mtime match a
 * cached entry (else computed and stored); `cacheFile` null hashes without a cache.
 */
export function sha256FileCached(file: string, cacheFile: string | null = defaultHashCacheFile()): string {
  if (cacheFile === null) return sha256File(file);
  const abs = path.resolve(file);
  const st = fs.statSync(abs);
  const cache = readCache(cacheFile);
  const hit = cache[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = sha256File(abs);
  cache[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  try {
    writeJsonAtomic(cacheFile, cache);
  } catch {
    // a read-only project still hashes; it only loses the cache
  }
  return sha256;
}

/** Forget the in-memory copy of cache files (tests that rewrite a cache file between calls). */
export function clearHashCacheMemo(): void {
  memo.clear();
}

/**
 * One hash of a set of files: sha256 over `relPath NUL sha256(contents) LF` for each file, sorted by
 * relative path ('/' separators), so it depends on names and bytes only, never on the folder or machine.
 */
export function hashFileSet(files: readonly { readonly rel: string; readonly abs: string }[], cacheFile: string | null = null): string {
  const rows = files.map((f) => ({ rel: f.rel.split(path.sep).join('/'), abs: f.abs }));
  rows.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.rel === rows[i - 1]!.rel) throw new Error(`hashFileSet: the relative path ${rows[i]!.rel} appears twice`);
  }
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r.rel}\0${sha256FileCached(r.abs, cacheFile)}\n`);
  return h.digest('hex');
}

/** Every file under `dir` (recursively, skipping build/, node_modules/ and .git/), with paths relative to `base`. */
export function listFilesUnder(dir: string, base: string): { rel: string; abs: string }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { rel: string; abs: string }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(abs);
      } else if (e.isFile()) {
        out.push({ rel: path.relative(base, abs), abs });
      }
    }
  };
  walk(dir);
  return out;
}

/** The files codeHash covers: everything under src/ and native/ (less build outputs) and package-lock.json. */
export function codeFiles(root: string): { rel: string; abs: string }[] {
  const out: { rel: string; abs: string }[] = [];
  for (const p of CODE_PATHS) {
    const abs = path.join(root, p);
    if (!fs.existsSync(abs)) continue;
    if (fs.statSync(abs).isDirectory()) out.push(...listFilesUnder(abs, root));
    else out.push({ rel: p, abs });
  }
  return out;
}

/** Hash of the kit's code at `root` (src/, native/ sources, package-lock.json); read afresh, never cached. */
export function codeHash(root: string): string {
  const files = codeFiles(root);
  if (files.length === 0) throw new Error(`codeHash: none of ${CODE_PATHS.join(', ')} exists under ${root}`);
  return hashFileSet(files, null);
}

/** Hash of a dataset: its files (relative to content.dir, cached by size + mtime) or its generator + config. */
export function datasetHash(content: DatasetContent, cacheFile: string | null = defaultHashCacheFile()): string {
  if (content.kind === 'generated') return sha256Hex(canonicalJson({ generator: content.generator, config: content.config }));
  if (content.files.length === 0) throw new Error(`datasetHash: no files listed for ${content.dir}`);
  const files = hashFileSet(content.files.map((f) => {
    if (!fs.existsSync(f)) throw new Error(`datasetHash: ${f} does not exist`);
    return { rel: path.relative(content.dir, path.resolve(f)), abs: path.resolve(f) };
  }), cacheFile);
  return content.transform === undefined ? files : sha256Hex(canonicalJson({ files, transform: content.transform }));
}

const TOKENIZER_FILES = new Set(['vocab.json', 'merges.txt', 'special_tokens_map.json', 'added_tokens.json']);
const WEIGHT_FILE = /\.(safetensors|bin|pt|pth|gguf)$|\.safetensors\.index\.json$|\.bin\.index\.json$/;

/** The files of an LLM folder that llmHash covers: config.json, tokenizer files and weight files (top level). */
export function llmFiles(modelDir: string): string[] {
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) throw new Error(`llmHash: ${modelDir} has no config.json`);
  return fs.readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => e.isFile() && (e.name === 'config.json' || e.name.startsWith('tokenizer') || TOKENIZER_FILES.has(e.name) || WEIGHT_FILE.test(e.name)))
    .map((e) => e.name)
    .sort();
}

/** Hash of an LLM folder's config.json, tokenizer and weight files (weights cached by path + size + mtime). */
export function llmHash(modelDir: string, cacheFile: string | null = defaultHashCacheFile()): string {
  return hashFileSet(llmFiles(modelDir).map((n) => ({ rel: n, abs: path.join(modelDir, n) })), cacheFile);
}
