// Where a dataset's genre signal lies, before any model: the test AUC of three training-free scores
// built from item genres, the user's history and train labels only — the share of the last history items
// that share a genre with the target (what the kit's skill probes teach), their mean genre Jaccard
// overlap, and the target's genre base rate (the train positive rate of its genres: which genres are
// liked at all). A dataset whose signal is base rates asks an LLM for knowledge of how genres are
// received, not for relating a history to a candidate. The content baseline learns both.
// Reference: issue "The text channel" (the skill probe); src/cf/content.ts (the learned version).
import type { Dataset, InteractionSplit } from '../data/types';
import { warmColdMasks, type WarmColdDefinition } from '../data/warm-cold';
import { auc } from '../metrics/auc';

/** The three scores of every row of a split. */
export interface GenreSignalScores {
  /** Share of the last `historyLen` history items sharing at least one genre with the target (0 without history). */
  readonly overlapShare: Float64Array;
  /** Mean Jaccard overlap of those items' genres with the target's (0 without history). */
  readonly jaccard: Float64Array;
  /** Mean over the target's genres of their train positive rate (the overall train rate for an item without genres). */
  readonly genreBaseRate: Float64Array;
}

/** History items read per row by default (TALLRec's prompt shows the last 10). */
export const GENRE_SIGNAL_HISTORY = 10;

/** The three training-free genre scores for each row of `split` (base rates from the train split's labels). */
export function genreSignalScores(dataset: Dataset, split: InteractionSplit, historyLen = GENRE_SIGNAL_HISTORY): GenreSignalScores {
  if (!Number.isInteger(historyLen) || historyLen < 1) throw new Error(`genreSignalScores: historyLen must be an integer >= 1, got ${historyLen}`);
  const genres = dataset.items.map((it) => it.genres);
  const train = dataset.splits.train;
  const pos = new Map<string, number>(), cnt = new Map<string, number>();
  let allPos = 0;
  for (let i = 0; i < train.label.length; i++) {
    allPos += train.label[i]!;
    for (const g of genres[train.itemIdx[i]!]!) { pos.set(g, (pos.get(g) ?? 0) + train.label[i]!); cnt.set(g, (cnt.get(g) ?? 0) + 1); }
  }
  const overall = train.label.length > 0 ? allPos / train.label.length : 0.5;
  const n = split.label.length;
  const out = { overlapShare: new Float64Array(n), jaccard: new Float64Array(n), genreBaseRate: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const target = genres[split.itemIdx[i]!]!;
    const tg = new Set(target);
    out.genreBaseRate[i] = target.length === 0 ? overall : target.reduce((s, g) => s + (cnt.has(g) ? pos.get(g)! / cnt.get(g)! : overall), 0) / target.length;
    const from = Math.max(split.histOffsets[i]!, split.histOffsets[i + 1]! - historyLen);
    let share = 0, jac = 0, m = 0;
    for (let k = from; k < split.histOffsets[i + 1]!; k++) {
      const hg = genres[split.histItems[k]!]!;
      const inter = hg.filter((g) => tg.has(g)).length;
      const union = new Set([...hg, ...target]).size;
      share += inter > 0 ? 1 : 0;
      jac += union > 0 ? inter / union : 0;
      m++;
    }
    out.overlapShare[i] = m > 0 ? share / m : 0;
    out.jaccard[i] = m > 0 ? jac / m : 0;
  }
  return out;
}

/** Test AUC of each score on one set of rows (null where the rows hold a single class). */
export type GenreSignalRecord = {
  readonly rows: 'all' | `${WarmColdDefinition} ${'warm' | 'cold'}`;
  readonly n: number;
  readonly overlapShare: number | null;
  readonly jaccard: number | null;
  readonly genreBaseRate: number | null;
};

/** AUC of the three scores on all test rows and on the warm and cold rows of `definition`. */
export function genreSignal(dataset: Dataset, definition: WarmColdDefinition = 'cora', historyLen = GENRE_SIGNAL_HISTORY): GenreSignalRecord[] {
  const test = dataset.splits.test;
  const s = genreSignalScores(dataset, test, historyLen);
  const masks = warmColdMasks(dataset, test, definition);
  const sets: [GenreSignalRecord['rows'], number[]][] = [
    ['all', [...Array(test.label.length).keys()]],
    [`${definition} warm`, [...Array(test.label.length).keys()].filter((k) => masks.warm[k] === 1)],
    [`${definition} cold`, [...Array(test.label.length).keys()].filter((k) => masks.cold[k] === 1)],
  ];
  return sets.map(([rows, idx]) => {
    const y = idx.map((k) => test.label[k]!);
    const p = y.reduce((a, b) => a + b, 0);
    const a = (v: Float64Array) => (p > 0 && p < y.length ? auc(y, idx.map((k) => v[k]!)) : null);
    return { rows, n: idx.length, overlapShare: a(s.overlapShare), jaccard: a(s.jaccard), genreBaseRate: a(s.genreBaseRate) };
  });
}
