// A split restricted to some of its rows (in the given order), e.g. a seeded sample of the test split
// when a budget does not allow scoring all of it. Histories and row ids travel with the rows.
import { makeRng } from '../core/rng';
import type { InteractionSplit } from './types';

/** The split's rows `rows`, as a split of its own. */
export function subsetSplit(s: InteractionSplit, rows: readonly number[]): InteractionSplit {
  const n = rows.length;
  const histOffsets = new Int32Array(n + 1);
  rows.forEach((r, k) => { histOffsets[k + 1] = histOffsets[k]! + (s.histOffsets[r + 1]! - s.histOffsets[r]!); });
  const histItems = new Int32Array(histOffsets[n]!);
  rows.forEach((r, k) => histItems.set(s.histItems.subarray(s.histOffsets[r]!, s.histOffsets[r + 1]!), histOffsets[k]!));
  const pick = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(n);
    rows.forEach((r, k) => { out[k] = a[r]!; });
    return out;
  };
  return { name: s.name, userIdx: pick(s.userIdx), itemIdx: pick(s.itemIdx), label: pick(s.label), timestamp: pick(s.timestamp), notCold: pick(s.notCold), rowId: pick(s.rowId), histOffsets, histItems };
}

/** A seeded sample of at most n rows of a split, kept in row order (the whole split when n is 0 or larger). */
export function sampleSplit(s: InteractionSplit, n: number, seed: number): InteractionSplit {
  const total = s.label.length;
  if (n <= 0 || n >= total) return s;
  const rows = makeRng(seed).shuffle(Array.from({ length: total }, (_, i) => i)).slice(0, n).sort((a, b) => a - b);
  return subsetSplit(s, rows);
}
