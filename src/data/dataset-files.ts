// What a dataset is made of, for its content hash: the files `loadDataset(name, opts)` reads (same
// folder resolution and file choice as the readers), or the generator config of the synthetic world.
// Reference: docs/methods.md §1 (data protocol); README "Real data".
import * as fs from 'fs';
import * as path from 'path';
import type { DatasetContent } from '../core/content-hash';
import { resolveDatasetDir } from '../core/paths';
import type { DatasetName, LoadOptions } from './load';
import { makeSyntheticConfig, SYNTHETIC_PROTOCOL } from './synthetic';
import type { Dataset } from './types';

function firstExisting(dir: string, names: readonly string[], what: string): string {
  const f = names.map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
  if (!f) throw new Error(`${dir}: no ${what} (looked for ${names.join(', ')})`);
  return f;
}

/** The files `loadDataset(name, opts)` loads (throws as the loader would when one is missing), or the generator config. */
export function datasetFiles(name: DatasetName, opts: LoadOptions = {}): DatasetContent {
  switch (name) {
    case 'synthetic':
    case 'synthetic-tiny':
      return { kind: 'generated', generator: 'syntheticWorld', config: { config: makeSyntheticConfig(name === 'synthetic' ? 'default' : 'tiny'), protocol: SYNTHETIC_PROTOCOL } };
    case 'synthetic-genre-titles':
      return { kind: 'generated', generator: 'withGenresInTitles(syntheticWorld)', config: { config: makeSyntheticConfig('default'), protocol: SYNTHETIC_PROTOCOL } };
    case 'collm-ml1m':
    case 'collm-ml1m-genre-titles': {
      const dir = resolveDatasetDir('collm-ml1m', opts);
      const splits = ['train', 'valid', 'test', 'valid_small'].map((s) => firstExisting(dir, [`${s}_ood2.jsonl.gz`, `${s}_ood2.jsonl`], `${s} split`));
      return { kind: 'files', dir, files: [path.join(dir, 'item_map.tsv'), ...splits], ...(name === 'collm-ml1m' ? {} : { transform: 'withGenresInTitles' }) };
    }
    case 'ml-1m': {
      const dir = resolveDatasetDir('ml-1m', opts);
      const ratings = opts.ratingsFile ? path.resolve(dir, opts.ratingsFile) : firstExisting(dir, ['ratings.dat', 'ratings.dat.gz'], 'ratings file');
      const users = path.join(dir, 'users.dat');
      return { kind: 'files', dir, files: [path.join(dir, 'movies.dat'), ...(fs.existsSync(users) ? [users] : []), ratings] };
    }
    case 'ml-100k': {
      const dir = resolveDatasetDir('ml-100k', opts);
      return { kind: 'files', dir, files: ['u.genre', 'u.item', 'u.user', 'u.data'].map((f) => path.join(dir, f)) };
    }
    case 'amazon-book': {
      const dir = resolveDatasetDir('amazon-book', opts);
      const reviews = firstExisting(dir, ['Books_5.json.gz', 'Books_5.json'], 'Books_5 reviews');
      const meta = ['meta_Books.json.gz', 'meta_Books.json'].map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
      return { kind: 'files', dir, files: [reviews, ...(meta ? [meta] : [])] };
    }
    default:
      throw new Error(`datasetFiles: unknown dataset "${String(name)}"`);
  }
}

/**
 * What an already-loaded dataset is made of, from its `source` record: the generator config for the
 * synthetic world, the files its reader recorded (plus CoLLM's item_map.tsv), else the source record itself.
 */
export function datasetContentOf(dataset: Dataset): DatasetContent {
  const s = dataset.source;
  if (typeof s['generator'] === 'string') return { kind: 'generated', generator: s['generator'], config: { config: s['config'], protocol: s['protocol'] } };
  const files = s['files'];
  if (Array.isArray(files) && files.length > 0 && files.every((f) => typeof f === 'string')) {
    const list = files as string[];
    const dir = typeof s['dir'] === 'string' ? s['dir'] : path.dirname(list[0]!);
    const extra = s['reader'] === 'readCollmSplits' ? [path.join(dir, 'item_map.tsv')] : [];
    return { kind: 'files', dir, files: [...extra, ...list], ...(typeof s['transform'] === 'string' ? { transform: s['transform'] } : {}) };
  }
  return { kind: 'generated', generator: `source of ${dataset.name}`, config: s };
}
