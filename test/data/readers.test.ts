// Readers on small hand-written files: latin-1 titles, .gz input, and errors naming file and line.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCollmSplits } from '../../src/data/collm';
import { readMl100k, readMl1m } from '../../src/data/movielens';
import { buildProtocolDataset, COLLM_ML1M_PROTOCOL } from '../../src/data/protocol';
import { DataFileError, readTextFile } from '../../src/data/text-file';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-readers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(dir: string, name: string, text: string, encoding: BufferEncoding = 'utf8'): string {
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  const bytes = Buffer.from(text, encoding);
  fs.writeFileSync(f, name.endsWith('.gz') ? zlib.gzipSync(bytes) : bytes);
  return f;
}

const t = (y: number, m: number, d = 1): number => Date.UTC(y, m - 1, d, 12) / 1000;

function ml1mDir(name: string, ratings: string): string {
  const dir = path.join(tmp, name);
  write(dir, 'movies.dat', '10::Café Society (1995)::Comedy|Drama\n20::Ghost (1990)::Romance\n30::Not Rated (1999)::Drama\n', 'latin1');
  write(dir, 'users.dat', '1::F::25::12::10001\n2::M::35::4::20002\n');
  write(dir, 'ratings.dat.gz', ratings);
  return dir;
}

describe('ML-1M reader and protocol', () => {
  it('decodes latin-1, reads .gz ratings, and builds labels, histories and remapped ids', () => {
    const dir = ml1mDir('ok', [
      `2::20::5::${t(2001, 7)}`, `2::10::2::${t(2001, 8)}`, `1::10::4::${t(2001, 6)}`, `1::20::3::${t(2002, 5)}`,
      `1::99::5::${t(2001, 9)}`, `1::30::5::${t(2000, 5)}`, `1::30::4::${t(2002, 10)}`,
    ].join('\n') + '\n');
    const raw = readMl1m(dir);
    expect(raw.items.get(10)!.title).toBe('Café Society (1995)');
    expect(raw.users!.get(1)!.occupation).toBe('programmer');
    const ds = buildProtocolDataset(raw, COLLM_ML1M_PROTOCOL);
    // item 99 has no metadata (inner join) and the 2000-05 row is outside the windows
    expect(ds.nUsers).toBe(2);
    expect(ds.items.map((i) => i.title)).toEqual(['Café Society (1995)', 'Ghost (1990)', 'Not Rated (1999)']);
    const { train, valid, test } = ds.splits;
    expect(Array.from(train.userIdx)).toEqual([0, 1, 1]);
    expect(Array.from(train.itemIdx)).toEqual([0, 1, 0]);
    expect(Array.from(train.label)).toEqual([1, 1, 0]);
    expect(Array.from(valid.itemIdx)).toEqual([1]);
    expect(Array.from(valid.histItems)).toEqual([0]);
    expect(Array.from(test.itemIdx)).toEqual([2]);
    expect(Array.from(test.histItems)).toEqual([0]);
    expect(Array.from(test.notCold)).toEqual([0]);
    expect(ds.rawUserIds).toEqual([1, 2]);
  });
  it('names file and line for a wrong column count, a bad number and a bad rating', () => {
    const bad = (name: string, line: string): string => ml1mDir(name, `1::10::4::${t(2001, 6)}\n${line}\n`);
    expect(() => readMl1m(bad('cols', '1::10::4'))).toThrow(/ratings\.dat\.gz:2: expected 4 fields/);
    expect(() => readMl1m(bad('num', `1::x::4::${t(2001, 6)}`))).toThrow(/ratings\.dat\.gz:2: field MovieID: "x" is not an integer/);
    expect(() => readMl1m(bad('rating', `1::10::9::${t(2001, 6)}`))).toThrow(/ratings\.dat\.gz:2: rating 9 is outside 1\.\.5/);
  });
  it('reports a truncated gzip and a missing ratings file by name', () => {
    const dir = ml1mDir('trunc', `1::10::4::${t(2001, 6)}\n`.repeat(200));
    const f = path.join(dir, 'ratings.dat.gz');
    const bytes = fs.readFileSync(f);
    fs.writeFileSync(f, bytes.subarray(0, bytes.length - 12));
    expect(() => readTextFile(f)).toThrow(DataFileError);
    expect(() => readMl1m(dir)).toThrow(/ratings\.dat\.gz: not a complete gzip file/);
    fs.rmSync(f);
    expect(() => readMl1m(dir)).toThrow(/ratings\.dat: file not found/);
  });
});

describe('ML-100K reader', () => {
  it('reads genre flags, users and tab-separated ratings', () => {
    const dir = path.join(tmp, 'ml100k');
    write(dir, 'u.genre', 'unknown|0\nAction|1\nComedy|2\n\n');
    write(dir, 'u.item', '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n2|GoldenEye (1995)|01-Jan-1995||http://y|0|1|1\n', 'latin1');
    write(dir, 'u.user', '1|24|M|technician|85711\n');
    write(dir, 'u.data', `1\t2\t5\t${t(1997, 10)}\n1\t1\t3\t${t(1997, 11)}\n`);
    const raw = readMl100k(dir);
    expect(raw.items.get(2)).toEqual({ title: 'GoldenEye (1995)', genres: ['Action', 'Comedy'], year: 1995 });
    expect(raw.users!.get(1)).toEqual({ gender: 'M', age: 24, occupation: 'technician' });
    expect(Array.from(raw.rating)).toEqual([5, 3]);
    write(dir, 'u.data', `1\t2\t5\n`);
    expect(() => readMl100k(dir)).toThrow(/u\.data:1: expected 4 fields separated by "\\t", found 3/);
  });
});

describe('CoLLM JSONL reader errors', () => {
  const row = (o: Record<string, unknown>): string => JSON.stringify({ idx: 0, uid: 1, iid: 1, label: 1, timestamp: 1, his: [0], not_cold: 1, ...o });
  function collmDir(name: string, trainLines: string[]): string {
    const dir = path.join(tmp, name);
    write(dir, 'item_map.tsv', 'collm_iid\tmovie_id\ttitle\tgenres\n1\t318\tA (1994)\tDrama\n2\t1234\tB (1973)\tComedy\n');
    write(dir, 'train_ood2.jsonl.gz', trainLines.join('\n') + '\n');
    write(dir, 'valid_ood2.jsonl.gz', row({ idx: 2, iid: 2, not_cold: 1, his: [0, 1] }) + '\n');
    write(dir, 'valid_small_ood2.jsonl.gz', row({ idx: 2, iid: 2, his: [0, 1] }) + '\n');
    write(dir, 'test_ood2.jsonl.gz', row({ idx: 3, uid: 2, not_cold: 0 }) + '\n');
    return dir;
  }
  it('reads a well-formed set', () => {
    const ds = readCollmSplits(collmDir('good', [row({}), row({ idx: 1, iid: 2, label: 0, his: [0, 1] })]));
    expect(ds.nItems).toBe(2);
    expect(Array.from(ds.splits.test.notCold)).toEqual([0]);
  });
  it('names the line of an unknown history id, of bad JSON and of a duplicate idx', () => {
    expect(() => readCollmSplits(collmDir('unk', [row({}), row({ idx: 1, his: [0, 7] })]))).toThrow(/train_ood2\.jsonl\.gz:2: field "his": unknown item id 7/);
    expect(() => readCollmSplits(collmDir('json', [row({}), '{"idx": 1,']))).toThrow(/train_ood2\.jsonl\.gz:2: not valid JSON/);
    expect(() => readCollmSplits(collmDir('dup', [row({}), row({})]))).toThrow(/train_ood2\.jsonl\.gz:2: idx 0 appears twice/);
    expect(() => readCollmSplits(collmDir('iid', [row({ iid: 9 })]))).toThrow(/train_ood2\.jsonl\.gz:1: field "iid": 9 is not an integer in \[1, 2\]/);
  });
  it('rejects a not_cold flag that contradicts train', () => {
    const dir = collmDir('cold', [row({}), row({ idx: 1, iid: 2, label: 0, his: [0, 1] })]);
    write(dir, 'test_ood2.jsonl.gz', row({ idx: 3, uid: 2, not_cold: 1 }) + '\n');
    expect(() => readCollmSplits(dir)).toThrow(/row idx 3: not_cold=1 in the file/);
  });
});
