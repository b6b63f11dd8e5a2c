// Reader for CoLLM's processed splits as JSON Lines ({train,valid,valid_small,test}_ood2.jsonl.gz)
// plus item_map.tsv: uid/iid become 0-based indices (uid-1, iid-1), the leading 0 of `his` is dropped.
// The file's not_cold is checked against the one recomputed from train.
// Reference: ../shared/data/collm-ml1m/PROVENANCE.md ("Exact format").
import * as fs from 'fs';
import * as path from 'path';
import { yearFromTitle } from './raw';
import { datasetFromCombined, type CombinedColumns } from './protocol';
import { DataFileError, forEachLine, intField, requireRows, splitFields } from './text-file';
import type { Dataset, ItemInfo } from './types';

const SPLIT_FILES = [['train', 0], ['valid', 1], ['test', 2]] as const;

function findSplitFile(dir: string, stem: string): string {
  for (const f of [`${stem}_ood2.jsonl.gz`, `${stem}_ood2.jsonl`]) if (fs.existsSync(path.join(dir, f))) return path.join(dir, f);
  throw new DataFileError(path.join(dir, `${stem}_ood2.jsonl.gz`), null, 'file not found (CoLLM split files are {train,valid,valid_small,test}_ood2.jsonl[.gz])');
}

function readItemMap(dir: string): { items: ItemInfo[]; movieIds: number[] } {
  const file = path.join(dir, 'item_map.tsv');
  const items: ItemInfo[] = [], movieIds: number[] = [];
  if (!fs.existsSync(file)) throw new DataFileError(file, null, 'file not found (CoLLM splits need item_map.tsv: collm_iid, movie_id, title, genres)');
  forEachLine(file, 'utf8', (line, n) => {
    if (n === 1) {
      if (!line.startsWith('collm_iid\t')) throw new DataFileError(file, n, 'expected the header "collm_iid\\tmovie_id\\ttitle\\tgenres"');
      return;
    }
    const [iid, mid, title, genres] = splitFields(line, '\t', 4, file, n) as [string, string, string, string];
    const k = intField(iid, 'collm_iid', file, n);
    if (k !== items.length + 1) throw new DataFileError(file, n, `collm_iid ${k} out of order (expected ${items.length + 1})`);
    items.push({ title, genres: genres ? genres.split('|') : [], year: yearFromTitle(title) });
    movieIds.push(intField(mid, 'movie_id', file, n));
  });
  requireRows(file, items.length, 'items');
  return { items, movieIds };
}

interface Row { uid: number; iid: number; label: number; timestamp: number; his: number[]; notCold: number }

function parseRow(line: string, file: string, n: number, nItems: number): { idx: number; row: Row } {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch (e) {
    throw new DataFileError(file, n, `not valid JSON (${(e as Error).message})`);
  }
  const int = (k: string, min: number, max = Infinity): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new DataFileError(file, n, `field "${k}": ${JSON.stringify(v)} is not an integer in [${min}, ${max}]`);
    return v;
  };
  const his = o['his'];
  if (!Array.isArray(his) || his[0] !== 0) throw new DataFileError(file, n, 'field "his": expected a list starting with the padding id 0');
  const h = his.slice(1).map((v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > nItems) throw new DataFileError(file, n, `field "his": unknown item id ${JSON.stringify(v)} (item_map.tsv has 1..${nItems})`);
    return v - 1;
  });
  return {
    idx: int('idx', 0),
    row: { uid: int('uid', 1), iid: int('iid', 1, nItems), label: int('label', 0, 1), timestamp: int('timestamp', 0), his: h, notCold: int('not_cold', 0, 1) },
  };
}

/** Reads the CoLLM ML-1M processed splits from `dir` into a Dataset (0-based ids; validSmall from valid_small). */
export function readCollmSplits(dir: string, name = 'collm-ml1m'): Dataset {
  const { items, movieIds } = readItemMap(dir);
  const byIdx = new Map<number, Row & { split: number }>();
  const files: string[] = [];
  for (const [stem, code] of SPLIT_FILES) {
    const file = findSplitFile(dir, stem);
    files.push(file);
    const rows = forEachLine(file, 'utf8', (line, n) => {
      const { idx, row } = parseRow(line, file, n, items.length);
      if (byIdx.has(idx)) throw new DataFileError(file, n, `idx ${idx} appears twice across the split files`);
      byIdx.set(idx, { ...row, split: code });
    });
    requireRows(file, rows, `${stem} rows`);
  }
  const nRows = byIdx.size;
  const cols: Omit<CombinedColumns, 'notCold'> = { user: [], item: [], label: [], ts: [], split: [], hist: [] };
  const fileNotCold: number[] = [];
  for (let g = 0; g < nRows; g++) {
    const r = byIdx.get(g);
    if (!r) throw new DataFileError(dir, null, `row idx ${g} is missing: the split files (${files.map((f) => path.basename(f)).join(', ')}) must cover idx 0..${nRows - 1} without gaps; is one of them truncated?`);
    cols.user.push(r.uid - 1);
    cols.item.push(r.iid - 1);
    cols.label.push(r.label);
    cols.ts.push(r.timestamp);
    cols.split.push(r.split);
    cols.hist.push(r.his);
    fileNotCold.push(r.notCold);
  }
  const smallFile = findSplitFile(dir, 'valid_small');
  files.push(smallFile);
  const smallRows: number[] = [];
  forEachLine(smallFile, 'utf8', (line, n) => {
    const { idx } = parseRow(line, smallFile, n, items.length);
    if (byIdx.get(idx)?.split !== 1) throw new DataFileError(smallFile, n, `idx ${idx} is not a row of valid`);
    smallRows.push(idx);
  });
  requireRows(smallFile, smallRows.length, 'valid_small rows');
  const ds = datasetFromCombined(name, cols, items, null, { rows: smallRows }, { reader: 'readCollmSplits', dir, files });
  const recomputed = new Map<number, number>();
  for (const sp of [ds.splits.train, ds.splits.valid, ds.splits.test]) sp.rowId.forEach((g, k) => recomputed.set(g, sp.notCold[k]!));
  for (let g = 0; g < nRows; g++) {
    if (recomputed.get(g) !== fileNotCold[g]) throw new DataFileError(dir, null, `row idx ${g}: not_cold=${fileNotCold[g]} in the file, but the user/item ${recomputed.get(g) ? 'do' : 'do not'} both occur in train`);
  }
  return { ...ds, rawItemIds: movieIds };
}
