// Reader for Amazon review dumps in the 2018 JSON Lines format (one review per line with reviewerID,
// asin, overall, unixReviewTime; .gz allowed) plus an optional metadata file (asin, title), for the
// CoLLM Amazon-Book protocol (AMAZON_BOOK_PROTOCOL). String ids are interned to integers here.
// Reference: Ni et al. 2019 (Amazon review data 2018); CoLLM dataset/amazon_book/processing_ood.ipynb.
import { RawColumns, type RawInteractions } from './raw';
import { DataFileError, forEachLine, requireRows } from './text-file';
import type { ItemInfo } from './types';

function field(o: Record<string, unknown>, k: string, file: string, line: number, kind: 'string' | 'number'): string | number {
  const v = o[k];
  if (typeof v !== kind) throw new DataFileError(file, line, `field "${k}": expected a ${kind}, got ${JSON.stringify(v)}`);
  return v as string | number;
}

function parse(line: string, file: string, n: number): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch (e) {
    throw new DataFileError(file, n, `not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads reviews (and titles from metaFile when given; items without a title get their asin). Users
 * and items get integer ids in order of first appearance; rawUserIds/rawItemIds map them back.
 */
export function readAmazonReviews(file: string, metaFile?: string): RawInteractions & { readonly userKeys: string[]; readonly itemKeys: string[] } {
  const titles = new Map<string, string>();
  if (metaFile) {
    const rows = forEachLine(metaFile, 'utf8', (line, n) => {
      const o = parse(line, metaFile, n);
      if (typeof o['asin'] === 'string' && typeof o['title'] === 'string') titles.set(o['asin'], o['title']);
    });
    requireRows(metaFile, rows, 'item metadata');
  }
  const users = new Map<string, number>(), items = new Map<string, number>();
  const cols = new RawColumns();
  forEachLine(file, 'utf8', (line, n) => {
    const o = parse(line, file, n);
    const u = field(o, 'reviewerID', file, n, 'string') as string, a = field(o, 'asin', file, n, 'string') as string;
    const r = field(o, 'overall', file, n, 'number') as number, t = field(o, 'unixReviewTime', file, n, 'number') as number;
    if (!(r >= 1 && r <= 5)) throw new DataFileError(file, n, `rating ${r} is outside 1..5`);
    if (!users.has(u)) users.set(u, users.size + 1);
    if (!items.has(a)) items.set(a, items.size + 1);
    if (!(Number.isInteger(t) && t >= 0 && t <= 1e11)) throw new DataFileError(file, n, `field "unixReviewTime": ${t} is not Unix seconds${t > 1e11 ? ' (it looks like milliseconds: divide by 1000)' : ''}`);
    cols.push(users.get(u)!, items.get(a)!, r, t);
  });
  requireRows(file, cols.user.length, 'reviews');
  const info = new Map<number, ItemInfo>();
  for (const [asin, id] of items) info.set(id, { title: titles.get(asin) ?? asin, genres: [], year: null });
  const raw = cols.finish('amazon', info, null, metaFile ? [file, metaFile] : [file]);
  return { ...raw, userKeys: [...users.keys()], itemKeys: [...items.keys()] };
}
