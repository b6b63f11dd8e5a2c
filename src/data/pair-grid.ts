// A users x items grid of (user, item) pairs as a split of its own, for analyses that compare a
// per-pair quantity (e.g. CoRA's W_ui) across users at fixed items and across items at fixed users.
// Each grid row keeps the user, history and time of a chosen row and takes the grid's item.
import { makeRng } from '../core/rng';
import { subsetSplit } from './subset';
import type { InteractionSplit } from './types';

/** Rows of `n` distinct users (key 'user') or items ('item') of a split, each one's first row, chosen by a seeded shuffle, in row order. */
export function distinctRows(s: InteractionSplit, key: 'user' | 'item', n: number, seed: number): number[] {
  const col = key === 'user' ? s.userIdx : s.itemIdx;
  const first = new Map<number, number>();
  for (let r = 0; r < col.length; r++) if (!first.has(col[r]!)) first.set(col[r]!, r);
  if (n > first.size) throw new Error(`distinctRows: asked for ${n} ${key}s, the ${s.name} split has ${first.size}`);
  return makeRng(seed).shuffle([...first.values()]).slice(0, n).sort((a, b) => a - b);
}

/**
 * The grid userRows x items, user-major (row u * items.length + i pairs the user of userRows[u] with
 * items[i]); labels are 0 and row ids -1 (the pairs need not be interactions of the dataset).
 */
export function pairGridSplit(s: InteractionSplit, userRows: readonly number[], items: readonly number[]): InteractionSplit {
  if (userRows.length === 0 || items.length === 0) throw new Error(`pairGridSplit: needs at least one user row and one item (got ${userRows.length} and ${items.length})`);
  const rows = userRows.flatMap((r) => items.map(() => r));
  const sub = subsetSplit(s, rows);
  const n = rows.length;
  return { ...sub, itemIdx: Int32Array.from(userRows.flatMap(() => items)), label: new Uint8Array(n), rowId: new Int32Array(n).fill(-1) };
}
