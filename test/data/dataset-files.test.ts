// Dataset file lists: the files each loader reads (same folder resolution and file choice), the
// generator config of the synthetic world, and agreement with what a loaded dataset records.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetHash } from '../../src/core/content-hash';
import { readCollmSplits } from '../../src/data/collm';
import { datasetContentOf, datasetFiles } from '../../src/data/dataset-files';
import { loadDataset } from '../../src/data/load';
import { syntheticWorld } from '../../src/data/synthetic';
import { sharedData } from './shared-data';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-ds-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const touch = (...parts: string[]) => {
  const f = path.join(tmp, ...parts);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, parts.join('/'));
  return f;
};
const names = (c: ReturnType<typeof datasetFiles>) => (c.kind === 'files' ? c.files.map((f) => path.relative(c.dir, f)) : []);

describe('datasetFiles', () => {
  it('lists the files each reader loads, preferring what the reader prefers', () => {
    for (const s of ['train', 'valid', 'test', 'valid_small']) touch('collm-ml1m', `${s}_ood2.jsonl.gz`);
    touch('collm-ml1m', 'item_map.tsv');
    touch('collm-ml1m', 'PROVENANCE.md');
    expect(names(datasetFiles('collm-ml1m', { dataDir: tmp }))).toEqual(['item_map.tsv', 'train_ood2.jsonl.gz', 'valid_ood2.jsonl.gz', 'test_ood2.jsonl.gz', 'valid_small_ood2.jsonl.gz']);
    touch('ml-1m', 'movies.dat');
    touch('ml-1m', 'ratings.dat.gz');
    expect(names(datasetFiles('ml-1m', { dataDir: tmp }))).toEqual(['movies.dat', 'ratings.dat.gz']);
    touch('ml-1m', 'users.dat');
    touch('ml-1m', 'ratings.dat');
    expect(names(datasetFiles('ml-1m', { dataDir: tmp }))).toEqual(['movies.dat', 'users.dat', 'ratings.dat']);
    expect(names(datasetFiles('ml-1m', { dataDir: tmp, ratingsFile: 'ratings_first.dat.gz' }))).toEqual(['movies.dat', 'users.dat', 'ratings_first.dat.gz']);
    for (const f of ['u.genre', 'u.item', 'u.user', 'u.data', 'u.info']) touch('ml-100k', f);
    expect(names(datasetFiles('ml-100k', { dataDir: tmp }))).toEqual(['u.genre', 'u.item', 'u.user', 'u.data']);
    touch('amazon-book', 'Books_5.json.gz');
    expect(names(datasetFiles('amazon-book', { dataDir: tmp }))).toEqual(['Books_5.json.gz']);
    expect(() => datasetFiles('ml-1m', { dataDir: path.join(tmp, 'none') })).toThrow(/not found/);
  });

  it('describes the synthetic world by its generator config, the same as the generated dataset records', () => {
    const c = datasetFiles('synthetic-tiny');
    expect(c.kind).toBe('generated');
    expect(datasetHash(datasetContentOf(syntheticWorld('tiny')))).toBe(datasetHash(c));
    expect(datasetHash(datasetFiles('synthetic'))).not.toBe(datasetHash(c));
    expect(datasetHash(datasetFiles('synthetic-tiny'))).toBe(datasetHash(c));
  });
});

const collm = sharedData('collm-ml1m/train_ood2.jsonl.gz');

describe.skipIf(!collm.present)(`datasetContentOf on the real CoLLM splits${collm.missing}`, () => {
  it('covers the same files as datasetFiles, so both give one hash', () => {
    const dir = path.dirname(collm.path);
    const byName = datasetFiles('collm-ml1m', { dataDir: path.dirname(dir) });
    const loaded = datasetContentOf(readCollmSplits(dir));
    expect([...names(loaded)].sort()).toEqual([...names(byName)].sort());
    expect(datasetHash(loaded, null)).toBe(datasetHash(byName, null));
  }, 120_000);
});

describe('synthetic-genre-titles', () => {
  it('hashes apart from the plain world, the same whether from its name or from the loaded dataset', () => {
    const gt = loadDataset('synthetic-genre-titles');
    const h = (c: ReturnType<typeof datasetFiles>) => datasetHash(c, null);
    expect(h(datasetContentOf(gt))).toBe(h(datasetFiles('synthetic-genre-titles')));
    expect(h(datasetContentOf(gt))).not.toBe(h(datasetContentOf(loadDataset('synthetic'))));
    expect(gt.items[0]!.title).toMatch(/\)$/);
  });
});

describe.skipIf(!collm.present)(`collm-ml1m-genre-titles${collm.missing}`, () => {
  it('writes genres after each title and hashes apart from collm-ml1m, the same from its name or the loaded dataset', () => {
    const plain = loadDataset('collm-ml1m'), gt = loadDataset('collm-ml1m-genre-titles');
    const h = (c: ReturnType<typeof datasetFiles>) => datasetHash(c, null);
    expect(h(datasetContentOf(gt))).toBe(h(datasetFiles('collm-ml1m-genre-titles')));
    expect(h(datasetContentOf(gt))).not.toBe(h(datasetContentOf(plain)));
    expect(h(datasetContentOf(plain))).toBe(h(datasetFiles('collm-ml1m')));
    const i = plain.items.findIndex((it) => it.genres.length > 0);
    expect(gt.items[i]!.title).toBe(`${plain.items[i]!.title} (${plain.items[i]!.genres.join(', ')})`);
    expect(gt.splits.test.label).toEqual(plain.splits.test.label);
  }, 120_000);
});
