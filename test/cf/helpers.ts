// Test helpers: a hand-made InteractionSplit with a planted low-rank preference structure.
import type { InteractionSplit } from '../../src/data/types';
import { makeRng } from '../../src/core/rng';

/** n rows over nUsers x nItems; label = 1 when the user's and item's hidden group agree; histories empty unless given. */
export function plantedSplit(nUsers: number, nItems: number, n: number, seed: number, hist?: (row: number, u: number) => number[]): InteractionSplit {
  const rng = makeRng(seed);
  const userIdx = new Int32Array(n), itemIdx = new Int32Array(n), label = new Uint8Array(n);
  const offsets = new Int32Array(n + 1), items: number[] = [];
  for (let r = 0; r < n; r++) {
    const u = rng.int(nUsers), i = rng.int(nItems);
    userIdx[r] = u;
    itemIdx[r] = i;
    label[r] = u % 2 === i % 2 ? 1 : 0;
    for (const h of hist ? hist(r, u) : []) items.push(h);
    offsets[r + 1] = items.length;
  }
  return {
    name: 'train', userIdx, itemIdx, label, timestamp: new Float64Array(n), notCold: new Uint8Array(n).fill(1),
    rowId: Int32Array.from({ length: n }, (_, i) => i), histOffsets: offsets, histItems: Int32Array.from(items),
  };
}
