// Warm / cold row labelling under the three definitions found in the literature, by name.
// Reference: docs/methods.md §1 (a) CoRA code, (b) CoLLM code, (c) CoLLM paper.
import type { Dataset, InteractionSplit } from './types';

/**
 * - `cora`: warm = not_cold == 1 (user and item both in train), cold = not_cold == 0.
 * - `collm-code`: warm = user and item each have MORE than 3 train rows, cold = not_cold == 0
 *   (rows in neither set exist: it does not partition the split).
 * - `collm-paper`: warm = user and item each appear AT LEAST 3 times in train, cold = all other rows.
 */
export type WarmColdDefinition = 'cora' | 'collm-code' | 'collm-paper';

/** All definitions, in reporting order. */
export const WARM_COLD_DEFINITIONS: readonly WarmColdDefinition[] = ['cora', 'collm-code', 'collm-paper'];

/** Train-row counts per user and per item. */
export function trainCounts(dataset: Dataset): { user: Int32Array; item: Int32Array } {
  const t = dataset.splits.train;
  const user = new Int32Array(dataset.nUsers), item = new Int32Array(dataset.nItems);
  for (let k = 0; k < t.label.length; k++) {
    user[t.userIdx[k]!]!++;
    item[t.itemIdx[k]!]!++;
  }
  return { user, item };
}

/** Masks (1 = in the set) of the warm and the cold rows of `split` under `definition`. */
export function warmColdMasks(dataset: Dataset, split: InteractionSplit, definition: WarmColdDefinition): { warm: Uint8Array; cold: Uint8Array } {
  const n = split.label.length;
  const warm = new Uint8Array(n), cold = new Uint8Array(n);
  if (definition === 'cora') {
    for (let k = 0; k < n; k++) { warm[k] = split.notCold[k]!; cold[k] = 1 - split.notCold[k]!; }
    return { warm, cold };
  }
  if (definition !== 'collm-code' && definition !== 'collm-paper') {
    throw new Error(`unknown warm-cold definition "${String(definition)}" (known: ${WARM_COLD_DEFINITIONS.join(', ')})`);
  }
  const c = trainCounts(dataset);
  const min = definition === 'collm-code' ? 4 : 3;
  for (let k = 0; k < n; k++) {
    const isWarm = c.user[split.userIdx[k]!]! >= min && c.item[split.itemIdx[k]!]! >= min;
    warm[k] = isWarm ? 1 : 0;
    cold[k] = definition === 'collm-code' ? 1 - split.notCold[k]! : isWarm ? 0 : 1;
  }
  return { warm, cold };
}
