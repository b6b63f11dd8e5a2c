// Plain attributes of the rows of a split for colouring analysis plots: the item's title and first
// genre, the row's history length and its user's activity (train rows), with activity buckets and a
// pick of rows whose users span the activity range. No tensors.
// Reference: docs/methods.md §1 (histories, train split).
import type { Dataset, InteractionSplit } from './types';

/** Attributes of one row of a split. */
export interface RowAttributes {
  /** Row index in the split. */
  readonly row: number;
  readonly userIdx: number;
  readonly itemIdx: number;
  readonly label: number;
  /** The item's title. */
  readonly title: string;
  /** The item's first genre ("(none)" when it has none). */
  readonly genre: string;
  /** Earlier positives of the user before this row (the prompt's history). */
  readonly historyLength: number;
  /** Rows of the user in the train split (activity). */
  readonly userTrainRows: number;
}

/** Train rows per user. @returns [nUsers] int32 */
export function userTrainCounts(ds: Pick<Dataset, 'nUsers' | 'splits'>): Int32Array {
  const out = new Int32Array(ds.nUsers);
  const u = ds.splits.train.userIdx;
  for (let k = 0; k < u.length; k++) out[u[k]!]! += 1;
  return out;
}

/** Attributes of rows `rows` of `split` (default: all rows, in order). */
export function rowAttributes(ds: Pick<Dataset, 'nUsers' | 'items' | 'splits'>, split: InteractionSplit, rows?: readonly number[]): RowAttributes[] {
  const n = split.label.length;
  const pick = rows ?? Array.from({ length: n }, (_, r) => r);
  const counts = userTrainCounts(ds);
  return pick.map((row) => {
    if (!(Number.isInteger(row) && row >= 0 && row < n)) throw new Error(`rowAttributes: row ${row} is outside the ${split.name} split's [0, ${n})`);
    const userIdx = split.userIdx[row]!, itemIdx = split.itemIdx[row]!;
    const item = ds.items[itemIdx];
    return {
      row, userIdx, itemIdx, label: split.label[row]!,
      title: item?.title ?? `item ${itemIdx}`, genre: item?.genres[0] ?? '(none)',
      historyLength: split.histOffsets[row + 1]! - split.histOffsets[row]!, userTrainRows: counts[userIdx]!,
    };
  });
}

/**
 * Labels integer counts by quantile bucket ("low (1-12)", "mid (13-30)", "high (31-90)" for 3 buckets, "q1 (..)".."qk (..)"
 * otherwise), cut at the k-quantiles of the values; equal cut points merge buckets. @returns [n] labels, and the labels in order
 */
export function quantileBuckets(values: readonly number[], k = 3): { labels: string[]; order: string[] } {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`quantileBuckets: k must be a positive integer, got ${k}`);
  if (values.length === 0) return { labels: [], order: [] };
  const sorted = [...values].sort((a, b) => a - b);
  // upper edges of buckets 0..k-2 (inclusive); duplicate edges merge buckets
  const edges = [...new Set(Array.from({ length: k - 1 }, (_, j) => sorted[Math.min(sorted.length - 1, Math.floor(((j + 1) * sorted.length) / k) - 1)]!))].sort((a, b) => a - b);
  const lo = sorted[0]!, hi = sorted[sorted.length - 1]!;
  const names = k === 3 && edges.length === 2 ? ['low', 'mid', 'high'] : Array.from({ length: edges.length + 1 }, (_, j) => `q${j + 1}`);
  const order = names.map((nm, j) => {
    const from = j === 0 ? lo : edges[j - 1]! + 1, to = j === edges.length ? hi : edges[j]!;
    return `${nm} (${from === to ? `${from}` : `${from}-${to}`})`;
  });
  const labels = values.map((v) => {
    let j = 0;
    while (j < edges.length && v > edges[j]!) j++;
    return order[j]!;
  });
  return { labels, order };
}

/** k rows whose users span the activity range: the least active, evenly spaced quantiles, the most active (ties: lower row first). */
export function activitySpanRows(attrs: readonly RowAttributes[], k: number): number[] {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`activitySpanRows: k must be a positive integer, got ${k}`);
  if (attrs.length < k) throw new Error(`activitySpanRows: need at least ${k} rows, got ${attrs.length}`);
  const sorted = [...attrs].sort((a, b) => a.userTrainRows - b.userTrainRows || a.row - b.row);
  if (k === 1) return [sorted[Math.floor((sorted.length - 1) / 2)]!.row];
  return Array.from({ length: k }, (_, j) => sorted[Math.round((j * (sorted.length - 1)) / (k - 1))]!.row);
}
