// Issue 16, atomic writes: a write that fails (full disk, a folder in the way, a file where a folder
// should be, an unserialisable value) removes its temporary file and throws an error naming the target.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { syncBuiltinESMExports } from 'module';
import { afterEach, describe, expect, it } from 'vitest';
import { readJson, readUtf8File, writeFileAtomic, writeJsonAtomic } from '../../src/core/io';
import { writeSafetensors } from '../../src/core/safetensors';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));
// ESM namespaces cannot be spied on: patch the CommonJS fs object and re-sync the builtin's exports
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsCjs = require('fs') as Record<string, unknown>;
const patched = new Map<string, unknown>();
function inject(name: 'writeFileSync' | 'renameSync', impl: (...a: unknown[]) => unknown): void {
  if (!patched.has(name)) patched.set(name, fsCjs[name]);
  fsCjs[name] = impl;
  syncBuiltinESMExports();
}
function restore(): void {
  for (const [k, v] of patched) fsCjs[k] = v;
  patched.clear();
  syncBuiltinESMExports();
}
const realWrite = fs.writeFileSync;
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

afterEach(restore);

describe('failed atomic writes clean up and name the file', () => {
  const cases: [string, (dir: string) => string, (file: string) => void, string][] = [
    ['the disk fills during the write', (d) => path.join(d, 'result.json'), (f) => {
      inject('writeFileSync', (p, data) => {
        realWrite(p as string, String(data).slice(0, 3));  // a partial temp file, then the failure
        throw enospc();
      });
      writeJsonAtomic(f, { a: 1 });
    }, 'ENOSPC'],
    ['the disk fills during a checkpoint', (d) => path.join(d, 'best.safetensors'), (f) => {
      inject('writeFileSync', (p) => {
        realWrite(p as string, 'x');
        throw enospc();
      });
      writeSafetensors(f, { w: { shape: [2], data: new Float32Array([1, 2]) } });
    }, 'the disk is full'],
    ['the rename fails', (d) => path.join(d, 'state.json'), (f) => {
      inject('renameSync', () => { throw Object.assign(new Error('EXDEV: cross-device link'), { code: 'EXDEV' }); });
      writeJsonAtomic(f, {});
    }, 'EXDEV'],
    ['the target is a folder', (d) => {
      fs.mkdirSync(path.join(d, 'result.json', 'inner'), { recursive: true });
      return path.join(d, 'result.json');
    }, (f) => writeJsonAtomic(f, {}), 'a folder is in the way'],
    ['a parent is a file', (d) => {
      fs.writeFileSync(path.join(d, 'runs'), 'x');
      return path.join(d, 'runs', 'r1', 'config.json');
    }, (f) => writeJsonAtomic(f, {}), 'is a file, not a folder'],
    ['the value cannot be serialised', (d) => path.join(d, 'x.json'), (f) => writeJsonAtomic(f, { n: BigInt(1) }), 'not JSON-serialisable'],
    ['the value is circular', (d) => path.join(d, 'x.json'), (f) => {
      const o: Record<string, unknown> = {};
      o['self'] = o;
      writeJsonAtomic(f, o);
    }, 'not JSON-serialisable'],
  ];
  it.each(cases)('%s', (_name, setup, act, fragment) => {
    const dir = tmpDir();
    const file = setup(dir);
    let err: Error | null = null;
    try {
      act(file);
    } catch (e) {
      err = e as Error;
    }
    restore();
    expect(err?.message).toContain(`could not write ${file}`);
    expect(err?.message).toContain(fragment);
    const parent = fs.existsSync(path.dirname(file)) && fs.statSync(path.dirname(file)).isDirectory() ? path.dirname(file) : dir;
    expect(leftovers(parent)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the previous file when a rewrite fails', () => {
    const dir = tmpDir(), file = path.join(dir, 'state.json');
    writeJsonAtomic(file, { epoch: 1 });
    inject('writeFileSync', () => { throw enospc(); });
    expect(() => writeJsonAtomic(file, { epoch: 2 })).toThrow(`could not write ${file}: ENOSPC`);
    restore();
    expect(readJson(file)).toEqual({ epoch: 1 });
    expect(leftovers(dir)).toEqual([]);
  });

  it('writes normally and leaves no temp file', () => {
    const dir = tmpDir(), file = path.join(dir, 'a', 'b.txt');
    writeFileAtomic(file, 'hello');
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    expect(leftovers(path.dirname(file))).toEqual([]);
  });
});

describe('reads name the file', () => {
  const cases: [string, (dir: string) => string, string][] = [
    ['a missing file', (d) => path.join(d, 'nope.json'), 'cannot read a JSON file (ENOENT)'],
    ['a folder given as a file', (d) => {
      fs.mkdirSync(path.join(d, 'config.json'));
      return path.join(d, 'config.json');
    }, 'is a folder, expected a JSON file'],
    ['invalid JSON', (d) => {
      fs.writeFileSync(path.join(d, 'bad.json'), '{"a": ');
      return path.join(d, 'bad.json');
    }, 'invalid JSON'],
    ['an empty file', (d) => {
      fs.writeFileSync(path.join(d, 'empty.json'), '');
      return path.join(d, 'empty.json');
    }, 'invalid JSON'],
  ];
  it.each(cases)('%s', (_name, setup, fragment) => {
    const dir = tmpDir();
    const file = setup(dir);
    expect(() => readJson(file)).toThrow(`${file}: `);
    expect(() => readJson(file)).toThrow(fragment);
  });
  it('readUtf8File names a folder', () => {
    const dir = tmpDir();
    expect(() => readUtf8File(dir, 'ratings.dat')).toThrow(`${dir}: is a folder, expected ratings.dat`);
  });
});

describe('safetensors files that are not weights are named', () => {
  const cases: [string, (file: string) => void, string][] = [
    ['a Git LFS pointer', (f) => fs.writeFileSync(f, 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 538090408\n'), 'is a Git LFS pointer'],
    ['a folder', (f) => fs.mkdirSync(f), 'is a folder, expected a safetensors file'],
    ['an empty file', (f) => fs.writeFileSync(f, ''), 'too short for a safetensors file (0 bytes)'],
    ['a header that is an array', (f) => {
      const h = Buffer.from('[1]     ');
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(h.length));
      fs.writeFileSync(f, Buffer.concat([b, h]));
    }, 'safetensors header is not a JSON object'],
  ];
  it.each(cases)('%s', async (_name, make, fragment) => {
    const { readSafetensors } = await import('../../src/core/safetensors');
    const file = path.join(tmpDir(), 'model.safetensors');
    make(file);
    expect(() => readSafetensors(file)).toThrow(`${file}: ${fragment}`);
  });
});
