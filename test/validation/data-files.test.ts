// Issue 16, data files: empty files name themselves (not a missing row in another file), encodings
// (UTF-8/UTF-16 byte-order marks, latin-1 titles, re-saved UTF-8 copies), CRLF and CR line ends, a .gz
// that is not gzip, a gzip without .gz, a folder where a file belongs, millisecond timestamps and
// ratings outside the protocol's windows (file, count and date range in the message).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { readCollmSplits } from '../../src/data/collm';
import { readMl1m } from '../../src/data/movielens';
import { buildProtocolDataset, COLLM_ML1M_PROTOCOL } from '../../src/data/protocol';
import { forEachLine, intField, readTextFile } from '../../src/data/text-file';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'data-files-'));
const sec = (iso: string) => Date.parse(iso) / 1000;

// ---- a tiny CoLLM split folder: 2 users, 2 items, one row per split (valid_small = the valid row)
const ITEM_MAP = 'collm_iid\tmovie_id\ttitle\tgenres\n1\t10\tAmélie (2001)\tComedy\n2\t20\tHeat (1995)\tAction\n';
const row = (o: Record<string, unknown>) => JSON.stringify(o) + '\n';
const TRAIN = row({ uid: 1, iid: 1, label: 1, timestamp: 1, his: [0], not_cold: 1, idx: 0 }) + row({ uid: 2, iid: 2, label: 0, timestamp: 2, his: [0], not_cold: 1, idx: 1 });
const VALID = row({ uid: 1, iid: 2, label: 0, timestamp: 3, his: [0, 1], not_cold: 1, idx: 2 });
const TEST = row({ uid: 2, iid: 1, label: 1, timestamp: 4, his: [0], not_cold: 1, idx: 3 });
function collmFolder(edit?: (dir: string) => void): string {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'item_map.tsv'), ITEM_MAP);
  fs.writeFileSync(path.join(dir, 'train_ood2.jsonl.gz'), zlib.gzipSync(TRAIN));
  fs.writeFileSync(path.join(dir, 'valid_ood2.jsonl.gz'), zlib.gzipSync(VALID));
  fs.writeFileSync(path.join(dir, 'test_ood2.jsonl.gz'), zlib.gzipSync(TEST));
  fs.writeFileSync(path.join(dir, 'valid_small_ood2.jsonl.gz'), zlib.gzipSync(VALID));
  edit?.(dir);
  return dir;
}
const put = (name: string, data: string | Buffer) => (dir: string) => fs.writeFileSync(path.join(dir, name), data);
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
};

describe('CoLLM split folder: bad files are named', () => {
  const cases: [string, (dir: string) => void, string, string][] = [
    ['empty item map', put('item_map.tsv', ''), 'item_map.tsv', 'no items: the file is empty'],
    ['item map with only its header', put('item_map.tsv', 'collm_iid\tmovie_id\ttitle\tgenres\n'), 'item_map.tsv', 'no items'],
    ['item map missing', (d) => fs.rmSync(path.join(d, 'item_map.tsv')), 'item_map.tsv', 'file not found'],
    ['item map is a folder', (d) => { fs.rmSync(path.join(d, 'item_map.tsv')); fs.mkdirSync(path.join(d, 'item_map.tsv')); }, 'item_map.tsv', 'is a folder, expected a file'],
    ['empty train split (gzip of nothing)', put('train_ood2.jsonl.gz', zlib.gzipSync('')), 'train_ood2.jsonl.gz', 'no train rows: the file is empty'],
    ['valid split of blank lines', put('valid_ood2.jsonl.gz', zlib.gzipSync('\n\n\r\n')), 'valid_ood2.jsonl.gz', 'no valid rows'],
    ['empty test split', put('test_ood2.jsonl.gz', zlib.gzipSync('')), 'test_ood2.jsonl.gz', 'no test rows'],
    ['empty valid_small split', put('valid_small_ood2.jsonl.gz', zlib.gzipSync('')), 'valid_small_ood2.jsonl.gz', 'no valid_small rows'],
    ['zero-byte .gz', put('test_ood2.jsonl.gz', ''), 'test_ood2.jsonl.gz', 'not a gzip file: it is empty'],
    ['.gz holding plain text', put('test_ood2.jsonl.gz', TEST), 'test_ood2.jsonl.gz', 'not a gzip file: it does not start with the gzip bytes 1f 8b (it starts with 7b 22 75 69); if it is plain text, remove the .gz'],
    ['truncated .gz', put('test_ood2.jsonl.gz', zlib.gzipSync(TEST).subarray(0, 20)), 'test_ood2.jsonl.gz', 'not a complete gzip file'],
    ['split file is a folder', (d) => { fs.rmSync(path.join(d, 'valid_ood2.jsonl.gz')); fs.mkdirSync(path.join(d, 'valid_ood2.jsonl.gz')); }, 'valid_ood2.jsonl.gz', 'is a folder'],
    ['UTF-16 without a byte-order mark', put('item_map.tsv', Buffer.from(ITEM_MAP, 'utf16le')), 'item_map.tsv', 'looks like UTF-16 without a byte-order mark'],
    ['a row missing between files', put('test_ood2.jsonl.gz', zlib.gzipSync(TEST.replace('"idx":3', '"idx":4'))), 'train_ood2.jsonl.gz, valid_ood2.jsonl.gz, test_ood2.jsonl.gz', 'row idx 3 is missing'],
  ];
  it.each(cases)('%s', (_name, edit, file, fragment) => {
    const dir = collmFolder(edit);
    let msg = '';
    try {
      readCollmSplits(dir);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(file);
    expect(msg).toContain(fragment);
  });

  const same: [string, (dir: string) => void][] = [
    ['CRLF line ends', (d) => {
      put('item_map.tsv', ITEM_MAP.replace(/\n/g, '\r\n'))(d);
      put('train_ood2.jsonl.gz', zlib.gzipSync(TRAIN.replace(/\n/g, '\r\n')))(d);
    }],
    ['CR-only line ends', put('item_map.tsv', ITEM_MAP.replace(/\n/g, '\r'))],
    ['UTF-8 byte-order mark', put('item_map.tsv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ITEM_MAP)]))],
    ['UTF-16 LE with byte-order mark', put('item_map.tsv', utf16le(ITEM_MAP))],
    ['UTF-16 BE with byte-order mark', put('item_map.tsv', utf16be(ITEM_MAP))],
    ['latin-1 item map', put('item_map.tsv', Buffer.from(ITEM_MAP, 'latin1'))],
    ['plain (not gzipped) split files', (d) => {
      fs.rmSync(path.join(d, 'train_ood2.jsonl.gz'));
      put('train_ood2.jsonl', TRAIN)(d);
    }],
  ];
  it.each(same)('%s read like the plain UTF-8 folder', (_name, edit) => {
    const ref = readCollmSplits(collmFolder());
    const ds = readCollmSplits(collmFolder(edit));
    expect(ds.items.map((i) => i.title)).toEqual(['Amélie (2001)', 'Heat (1995)']);
    expect(ds.items).toEqual(ref.items);
    expect(ds.splits.train.label).toEqual(ref.splits.train.label);
    expect(ds.splits.test.itemIdx).toEqual(ref.splits.test.itemIdx);
  });
});

// ---- a tiny ML-1M folder: ratings in CoLLM's train (2001-06..2002-03), valid (2002-04..08) and test (2002-09..2003-01) windows
const MOVIES = '1::Misérables, Les (1995)::Drama|Musical\n2::Heat (1995)::Action\n';
const USERS = '1::F::1::10::48067\n2::M::56::16::70072\n';
const rating = (u: number, i: number, r: number, iso: string) => `${u}::${i}::${r}::${sec(iso)}\n`;
const RATINGS = rating(1, 1, 5, '2001-07-01') + rating(2, 2, 3, '2001-08-01') + rating(1, 2, 4, '2002-05-01') + rating(2, 1, 5, '2002-10-01');
function ml1mFolder(edit?: (dir: string) => void): string {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'movies.dat'), Buffer.from(MOVIES, 'latin1'));  // as GroupLens ships it
  fs.writeFileSync(path.join(dir, 'users.dat'), USERS);
  fs.writeFileSync(path.join(dir, 'ratings.dat'), RATINGS);
  edit?.(dir);
  return dir;
}
const buildMl1m = (dir: string) => buildProtocolDataset(readMl1m(dir), COLLM_ML1M_PROTOCOL, 'ml-1m');

describe('ML-1M folder: bad files are named', () => {
  const cases: [string, (dir: string) => void, string, RegExp | string][] = [
    ['empty ratings file', put('ratings.dat', ''), 'ratings.dat', 'no ratings: the file is empty'],
    ['ratings file of blank lines', put('ratings.dat', '\n\n'), 'ratings.dat', 'no ratings'],
    ['empty movies file', put('movies.dat', ''), 'movies.dat', 'no movies'],
    ['empty users file', put('users.dat', ''), 'users.dat', 'no users'],
    ['millisecond timestamps', put('ratings.dat', RATINGS.replace(/::(\d+)\n/g, (_m, t: string) => `::${Number(t) * 1000}\n`)), 'ratings.dat',
      '4 of 4 ratings have timestamps beyond year 5000 as Unix seconds (the first is rating 1, 993945600000); read as milliseconds they date from 2001-07-01 to 2002-10-01: the file has millisecond timestamps'],
    ['negative timestamp', put('ratings.dat', '1::1::5::-5\n'), 'ratings.dat:1', 'timestamp -5 is negative'],
    ['hex timestamp', put('ratings.dat', '1::1::5::0x10\n'), 'ratings.dat:1', 'field Timestamp: "0x10" is not an integer'],
    ['exponent user id', put('ratings.dat', '1e0::1::5::10\n'), 'ratings.dat:1', 'field UserID: "1e0" is not an integer'],
    ['ratings all before the windows', put('ratings.dat', rating(1, 1, 5, '1999-01-01') + rating(2, 2, 4, '1999-03-01')), 'ratings.dat',
      /no rating of ml-1m falls in the protocol's windows: 2 ratings dated 1999-01-01 to 1999-03-01 \(2 of known items\), windows train 2001-06\.\.2002-03, valid 2002-04\.\.2002-08, test 2002-09\.\.2003-01/],
    ['ratings of unknown items only', put('ratings.dat', rating(1, 7, 5, '2001-07-01')), 'ratings.dat', 'none of the 1 ratings of ml-1m is of an item in the item file (2 items)'],
    ['no rating in the test window', put('ratings.dat', rating(1, 1, 5, '2001-07-01') + rating(1, 2, 4, '2002-05-01')), 'ratings.dat', 'the test window of ml-1m\'s protocol holds no rating (train 1, valid 1, test 0 rows; 2 ratings dated 2001-07-01 to 2002-05-01'],
    ['ratings file is a folder', (d) => { fs.rmSync(path.join(d, 'ratings.dat')); fs.mkdirSync(path.join(d, 'ratings.dat')); }, 'ratings.dat', 'is a folder'],
    ['ratings.dat missing', (d) => fs.rmSync(path.join(d, 'ratings.dat')), 'ratings.dat', 'file not found'],
    ['movies.dat in UTF-16 without a mark', put('movies.dat', Buffer.from(MOVIES, 'utf16le')), 'movies.dat', 'UTF-16'],
  ];
  it.each(cases)('%s', (_name, edit, file, fragment) => {
    let msg = '';
    try {
      buildMl1m(ml1mFolder(edit));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(file);
    if (typeof fragment === 'string') expect(msg).toContain(fragment);
    else expect(msg).toMatch(fragment);
  });

  const same: [string, (dir: string) => void][] = [
    ['movies.dat re-saved as UTF-8', put('movies.dat', MOVIES)],
    ['movies.dat with latin-1 and UTF-8 lines mixed', put('movies.dat', Buffer.concat([Buffer.from('1::Misérables, Les (1995)::Drama|Musical\n', 'latin1'), Buffer.from('2::Heat (1995)::Action\n')]))],
    ['movies.dat with a UTF-8 byte-order mark', put('movies.dat', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MOVIES)]))],
    ['movies.dat in UTF-16 LE with a mark', put('movies.dat', utf16le(MOVIES))],
    ['CRLF ratings', put('ratings.dat', RATINGS.replace(/\n/g, '\r\n'))],
    ['ratings.dat gzipped without .gz', put('ratings.dat', zlib.gzipSync(RATINGS))],
    ['ratings without a final newline', put('ratings.dat', RATINGS.trimEnd())],
  ];
  it.each(same)('%s: titles decode to the same text', (_name, edit) => {
    const ds = buildMl1m(ml1mFolder(edit));
    expect(ds.items.map((i) => i.title).sort()).toEqual(['Heat (1995)', 'Misérables, Les (1995)']);
    expect(ds.splits.train.rowId.length + ds.splits.valid.rowId.length + ds.splits.test.rowId.length).toBe(4);
  });

  it('decodes the latin-1 titles of the real movies.dat', () => {
    const real = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'ml-1m', 'movies.dat');
    if (!fs.existsSync(real)) return;
    const titles: string[] = [];
    forEachLine(real, 'latin1', (line) => titles.push(line.split('::')[1]!));
    expect(titles).toContain('Misérables, Les (1995)');
    expect(titles.some((t) => t.includes('\ufffd') || t.includes('Ã'))).toBe(false);
  });
});

describe('text-file helpers', () => {
  it('reads a plain file whose name ends in .gz only when it is gzip', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.txt.gz'), 'hello');
    expect(() => readTextFile(path.join(dir, 'a.txt.gz'))).toThrow('not a gzip file');
  });
  it.each([['12', 12], [' 7 ', 7], ['-3', -3]] as const)('intField accepts %j', (t, v) => expect(intField(t, 'f', 'x', 1)).toBe(v));
  it.each(['', ' ', '1.5', '0x10', '1e3', '+5', 'NaN', '9007199254740993'])('intField refuses %j', (t) => {
    expect(() => intField(t, 'f', 'x.dat', 3)).toThrow(`x.dat:3: field f: "${t}" is not an integer`);
  });
});

describe('Amazon reviews: bad files are named', () => {
  const review = (t: number) => JSON.stringify({ reviewerID: 'u1', asin: 'b1', overall: 5, unixReviewTime: t }) + '\n';
  const cases: [string, string | Buffer, string][] = [
    ['empty reviews file', '', 'no reviews: the file is empty'],
    ['millisecond review times', review(1500000000000), 'field "unixReviewTime": 1500000000000 is not Unix seconds (it looks like milliseconds'],
    ['fractional review time', review(1.5), 'is not Unix seconds'],
  ];
  it.each(cases)('%s', async (_name, text, fragment) => {
    const { readAmazonReviews } = await import('../../src/data/amazon');
    const file = path.join(tmp(), 'Books_5.json');
    fs.writeFileSync(file, text);
    expect(() => readAmazonReviews(file)).toThrow(file);
    expect(() => readAmazonReviews(file)).toThrow(fragment);
  });
  it('an empty metadata file given beside the reviews is named', async () => {
    const { readAmazonReviews } = await import('../../src/data/amazon');
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'Books_5.json'), JSON.stringify({ reviewerID: 'u1', asin: 'b1', overall: 5, unixReviewTime: 1500000000 }) + '\n');
    fs.writeFileSync(path.join(dir, 'meta_Books.json.gz'), zlib.gzipSync(''));
    expect(() => readAmazonReviews(path.join(dir, 'Books_5.json'), path.join(dir, 'meta_Books.json.gz'))).toThrow(`${path.join(dir, 'meta_Books.json.gz')}: no item metadata: the file is empty`);
  });
});

describe('duplicate ids in metadata files', () => {
  const cases: [string, string, string, string][] = [
    ['movies.dat', MOVIES + '2::Heat, again (1995)::Action\n', 'movies.dat:3', 'MovieID 2 appears a second time'],
    ['users.dat', USERS + '1::M::25::3::12345\n', 'users.dat:3', 'UserID 1 appears a second time'],
  ];
  it.each(cases)('%s', (file, text, where, fragment) => {
    const dir = ml1mFolder(put(file, text));
    expect(() => readMl1m(dir)).toThrow(where);
    expect(() => readMl1m(dir)).toThrow(fragment);
  });
});
