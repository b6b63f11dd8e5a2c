// Mini-batches of interaction rows as typed arrays (no tensors): ids, labels and left-padded
// histories, plus the row orders that make epochs. Reference: CoLLM's MoiveOOData (last <= 10 history items, left padding).
import type { Rng } from '../core/rng';
import type { InteractionSplit } from './types';

/** One batch of rows from a split; hist is row-major [size, maxLen], left-padded with padIdx. */
export interface RowBatch {
  /** Number of rows. */
  readonly size: number;
  /** History width L (the last L earlier positives are kept). */
  readonly maxLen: number;
  /** [size] int32 row positions in the split. */
  readonly rows: Int32Array;
  /** [size] int32 0-based user index. */
  readonly userIdx: Int32Array;
  /** [size] int32 0-based item index. */
  readonly itemIdx: Int32Array;
  /** [size] float32 labels 0/1. */
  readonly label: Float32Array;
  /** [size * maxLen] int32 item indices, most recent last, padIdx in front of short histories. */
  readonly hist: Int32Array;
  /** [size] int32 number of real (non-pad) history entries, at most maxLen. */
  readonly histLen: Int32Array;
}

/** Gather rows of a split into a batch; histories keep their last maxLen items. */
export function makeRowBatch(split: InteractionSplit, rows: ArrayLike<number>, maxLen: number, padIdx: number): RowBatch {
  if (!Number.isInteger(maxLen) || maxLen < 0) throw new Error(`makeRowBatch: maxLen must be a non-negative integer, got ${maxLen}`);
  const n = rows.length, nRows = split.userIdx.length;
  const out = {
    size: n, maxLen, rows: new Int32Array(n), userIdx: new Int32Array(n), itemIdx: new Int32Array(n),
    label: new Float32Array(n), hist: new Int32Array(n * maxLen).fill(padIdx), histLen: new Int32Array(n),
  };
  for (let b = 0; b < n; b++) {
    const r = rows[b]!;
    if (!(r >= 0 && r < nRows)) throw new Error(`makeRowBatch: row ${r} out of range for split ${split.name} with ${nRows} rows`);
    out.rows[b] = r;
    out.userIdx[b] = split.userIdx[r]!;
    out.itemIdx[b] = split.itemIdx[r]!;
    out.label[b] = split.label[r]!;
    const end = split.histOffsets[r + 1]!, start = Math.max(split.histOffsets[r]!, end - maxLen);
    const len = end - start;
    out.histLen[b] = len;
    out.hist.set(split.histItems.subarray(start, end), b * maxLen + (maxLen - len));
  }
  return out;
}

/** Split 0..n-1 into consecutive batches, shuffled first when an rng is given. */
export function batchRows(n: number, batchSize: number, rng?: Rng): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`batchRows: batchSize must be a positive integer, got ${batchSize}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (rng) rng.shuffle(order);
  const batches: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) batches.push(order.subarray(s, Math.min(n, s + batchSize)));
  return batches;
}
