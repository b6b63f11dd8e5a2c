// Content hashes: equal files give equal hashes in any folder (the relative paths and bytes are all
// that count), any changed byte or renamed file changes them, build outputs are not code, generator
// configs hash by value, and the file-hash cache is keyed by path + size + mtime.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalJson, clearHashCacheMemo, codeFiles, codeHash, datasetHash, hashFileSet, llmFiles, llmHash, sha256File, sha256FileCached, sha256Hex,
} from '../../src/core/content-hash';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-hash-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function makeKit(root: string): void {
  write(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  write(path.join(root, 'src', 'sub', 'b.ts'), 'export const b = 2;\n');
  write(path.join(root, 'native', 'kitgemm.cc'), 'int main() {}\n');
  write(path.join(root, 'native', 'build', 'Release', 'kit.node'), 'binary');
  write(path.join(root, 'package-lock.json'), '{}\n');
  write(path.join(root, 'README.md'), 'not code\n');
}

describe('hashFileSet', () => {
  it('is sha256 over "rel NUL sha256(contents) LF" in sorted path order', () => {
    write(path.join(tmp, 'set', 'b.txt'), 'bee');
    write(path.join(tmp, 'set', 'a.txt'), 'ay');
    const got = hashFileSet([{ rel: 'b.txt', abs: path.join(tmp, 'set', 'b.txt') }, { rel: 'a.txt', abs: path.join(tmp, 'set', 'a.txt') }]);
    const want = createHash('sha256').update(`a.txt\0${sha256Hex('ay')}\nb.txt\0${sha256Hex('bee')}\n`).digest('hex');
    expect(got).toBe(want);
    expect(sha256File(path.join(tmp, 'set', 'a.txt'))).toBe(sha256Hex('ay'));
    expect(() => hashFileSet([{ rel: 'a.txt', abs: path.join(tmp, 'set', 'a.txt') }, { rel: 'a.txt', abs: path.join(tmp, 'set', 'b.txt') }])).toThrow(/appears twice/);
  });
});

describe('codeHash', () => {
  const k1 = path.join(tmp, 'kit1'), k2 = path.join(tmp, 'elsewhere', 'kit2');
  makeKit(k1);
  makeKit(k2);

  it('covers src/, native/ sources and package-lock.json, not build outputs or docs', () => {
    expect(codeFiles(k1).map((f) => f.rel.split(path.sep).join('/')).sort()).toEqual(['native/kitgemm.cc', 'package-lock.json', 'src/a.ts', 'src/sub/b.ts']);
  });

  it('is the same for the same files in another folder (stable across machines)', () => {
    expect(codeHash(k1)).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash(k2)).toBe(codeHash(k1));
    write(path.join(k2, 'native', 'build', 'Release', 'kit.node'), 'rebuilt');
    write(path.join(k2, 'README.md'), 'edited');
    expect(codeHash(k2)).toBe(codeHash(k1));
  });

  it('changes when a src file, a native source or the lock file changes, or a file is added or renamed', () => {
    const base = codeHash(k1);
    write(path.join(k1, 'src', 'a.ts'), 'export const a = 2;\n');
    const edited = codeHash(k1);
    expect(edited).not.toBe(base);
    write(path.join(k1, 'src', 'a.ts'), 'export const a = 1;\n');
    expect(codeHash(k1)).toBe(base);
    write(path.join(k1, 'package-lock.json'), '{ }\n');
    expect(codeHash(k1)).not.toBe(base);
    write(path.join(k1, 'package-lock.json'), '{}\n');
    write(path.join(k1, 'native', 'extra.h'), '#pragma once\n');
    expect(codeHash(k1)).not.toBe(base);
    fs.rmSync(path.join(k1, 'native', 'extra.h'));
    fs.renameSync(path.join(k1, 'src', 'sub', 'b.ts'), path.join(k1, 'src', 'sub', 'c.ts'));
    expect(codeHash(k1)).not.toBe(base);
    fs.renameSync(path.join(k1, 'src', 'sub', 'c.ts'), path.join(k1, 'src', 'sub', 'b.ts'));
    expect(codeHash(k1)).toBe(base);
  });
});

describe('datasetHash', () => {
  it('hashes files relative to the dataset folder: equal in two folders, different when a byte changes', () => {
    for (const d of ['d1', 'd2']) {
      write(path.join(tmp, d, 'ml', 'ratings.dat'), '1::2::5::978300760\n');
      write(path.join(tmp, d, 'ml', 'movies.dat'), '2::Jumanji (1995)::Adventure\n');
    }
    const content = (d: string) => ({ kind: 'files' as const, dir: path.join(tmp, d, 'ml'), files: ['movies.dat', 'ratings.dat'].map((f) => path.join(tmp, d, 'ml', f)) });
    const cache = path.join(tmp, 'cache-ds.json');
    const h1 = datasetHash(content('d1'), cache);
    expect(datasetHash(content('d1'), cache)).toBe(h1);
    expect(datasetHash(content('d2'), null)).toBe(h1);
    write(path.join(tmp, 'd2', 'ml', 'ratings.dat'), '1::2::4::978300760\n');
    expect(datasetHash(content('d2'), null)).not.toBe(h1);
    expect(() => datasetHash({ kind: 'files', dir: tmp, files: [path.join(tmp, 'none')] })).toThrow(/does not exist/);
  });

  it('hashes a generator by its config value, whatever the key order', () => {
    const a = datasetHash({ kind: 'generated', generator: 'syntheticWorld', config: { nUsers: 10, seed: 7 } });
    expect(datasetHash({ kind: 'generated', generator: 'syntheticWorld', config: { seed: 7, nUsers: 10 } })).toBe(a);
    expect(datasetHash({ kind: 'generated', generator: 'syntheticWorld', config: { seed: 8, nUsers: 10 } })).not.toBe(a);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('llmHash', () => {
  const m = path.join(tmp, 'model');
  write(path.join(m, 'config.json'), '{"hidden_size": 8}');
  write(path.join(m, 'tokenizer.json'), '{}');
  write(path.join(m, 'tokenizer_config.json'), '{}');
  write(path.join(m, 'model.safetensors'), 'weights-0');
  write(path.join(m, 'README.md'), 'card');
  write(path.join(m, 'training.json'), '{}');

  it('covers config, tokenizer and weight files only', () => {
    expect(llmFiles(m)).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(() => llmFiles(tmp)).toThrow(/no config.json/);
  });

  it('caches file hashes by path + size + mtime, so unchanged weights are not read again', () => {
    const cache = path.join(tmp, 'cache-llm.json');
    const weights = path.join(m, 'model.safetensors');
    const t = 1_700_000_000; // whole seconds: utimes restores it exactly
    fs.utimesSync(weights, t, t);
    const h = llmHash(m, cache);
    const entry = JSON.parse(fs.readFileSync(cache, 'utf8'))[path.resolve(weights)];
    expect(entry.sha256).toBe(sha256Hex('weights-0'));
    // same size and mtime: the cached hash is used (the bytes are not read again)
    fs.writeFileSync(weights, 'weights-1');
    fs.utimesSync(weights, t, t);
    clearHashCacheMemo();
    expect(sha256FileCached(weights, cache)).toBe(sha256Hex('weights-0'));
    expect(llmHash(m, cache)).toBe(h);
    // a new mtime (any real rewrite) invalidates the entry
    fs.utimesSync(weights, t, t + 5);
    expect(llmHash(m, cache)).not.toBe(h);
    expect(llmHash(m, null)).toBe(llmHash(m, cache));
  });
});
