// One entry point for datasets by name, resolving the data folder (explicit option, $CFLLM_DATA_DIR,
// data/, ../shared/data) for the real ones; the synthetic world needs no files.

import { resolveDatasetDir } from '../core/paths';
import { readCollmSplits } from './collm';
import { readMl100k, readMl1m } from './movielens';
import * as fs from 'fs';
import * as path from 'path';
import { readAmazonReviews } from './amazon';
import { AMAZON_BOOK_PROTOCOL, buildProtocolDataset, COLLM_ML1M_PROTOCOL, ML100K_PROTOCOL } from './protocol';
import { withGenresInTitles } from './item-text';
import { SYNTHETIC_PRESETS, syntheticWorld, type SyntheticPreset } from './synthetic';
import type { Dataset } from './types';

/** Dataset names the kit knows. */
export const DATASET_NAMES = ['synthetic', 'synthetic-tiny', 'synthetic-genre-titles', 'collm-ml1m', 'collm-ml1m-genre-titles', 'ml-1m', 'ml-100k', 'amazon-book'] as const;

/** A dataset name: see DATASET_NAMES. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Options of loadDataset. */
export interface LoadOptions {
  /** Data folder holding <name>/ (else $CFLLM_DATA_DIR, data/, ../shared/data). */
  readonly dataDir?: string | undefined;
  /** For ml-1m: the ratings file inside ml-1m/ (default ratings.dat). */
  readonly ratingsFile?: string | undefined;
}

/**
 * Loads a dataset by name: `synthetic` / `synthetic-tiny` (generated), `synthetic-genre-titles` (the
 * default world with each title's genres written after it: item knowledge handed over as text, to
 * measure whether an LLM can use it at all), `collm-ml1m` (CoLLM's official
 * splits; `collm-ml1m-genre-titles` with genres written after each title, likewise), `ml-1m` and `ml-100k` (raw GroupLens files through the CoLLM protocol builder), `amazon-book`
 * (Amazon 2018 Books_5 reviews through CoLLM's Amazon-Book rule).
 */
export function loadDataset(name: DatasetName, opts: LoadOptions = {}): Dataset {
  switch (name) {
    case 'synthetic':
      return syntheticWorld('default');
    case 'synthetic-tiny':
      return syntheticWorld('tiny');
    case 'synthetic-genre-titles':
      return withGenresInTitles(syntheticWorld('default'));
    case 'collm-ml1m':
      return readCollmSplits(resolveDatasetDir('collm-ml1m', opts));
    case 'collm-ml1m-genre-titles':
      return withGenresInTitles(readCollmSplits(resolveDatasetDir('collm-ml1m', opts)));
    case 'ml-1m': {
      const dir = resolveDatasetDir('ml-1m', opts);
      return buildProtocolDataset(readMl1m(dir, opts.ratingsFile ? { ratingsFile: opts.ratingsFile } : {}), COLLM_ML1M_PROTOCOL, 'ml-1m');
    }
    case 'ml-100k':
      return buildProtocolDataset(readMl100k(resolveDatasetDir('ml-100k', opts)), ML100K_PROTOCOL, 'ml-100k');
    case 'amazon-book': {
      const dir = resolveDatasetDir('amazon-book', opts);
      const pick = (names: string[]) => names.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
      const reviews = pick(['Books_5.json.gz', 'Books_5.json']);
      if (!reviews) throw new Error(`${dir}: needs Books_5.json(.gz) (Amazon 2018 reviews) and optionally meta_Books.json(.gz)`);
      return buildProtocolDataset(readAmazonReviews(reviews, pick(['meta_Books.json.gz', 'meta_Books.json'])), AMAZON_BOOK_PROTOCOL, 'amazon-book');
    }
    default:
      throw new Error(`unknown dataset "${String(name)}" (known: ${DATASET_NAMES.join(', ')}; synthetic presets: ${Object.keys(SYNTHETIC_PRESETS).join(', ')})`);
  }
}

/** Parses a dataset name from a flag or config, with a clear error. */
export function parseDatasetName(s: string, what = 'dataset'): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(s)) return s as DatasetName;
  throw new Error(`${what}: unknown dataset "${s}" (known: ${DATASET_NAMES.join(', ')})`);
}

export type { SyntheticPreset };
