// Top-K ranking metrics for one user's ranked item list (NDCG@K, Recall@K, Hit@K, binary relevance)
// and their mean over users under RecBole's keys ('ndcg@10', 'recall@10', 'hit@10').
// Reference: Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques" (TOIS, 2002); RecBole topk_metrics.

import type { NumArray } from './auc';

/** Relevant item ids of one user, as a set or a list (duplicates in a list count once). */
export type Relevant = ReadonlySet<number> | NumArray;

/** One user's ranking: items best-first and the held-out relevant items. */
export interface RankedUser {
  /** [n] item ids (e.g. itemIdx), best first; a duplicate within the top k throws. */
  readonly ranked: NumArray;
  /** Relevant item ids; a user with none is skipped by `rankingMetrics`. */
  readonly relevant: Relevant;
}

/** Mean metrics over users; see `rankingMetrics`. */
export interface RankingResult {
  /** RecBole keys such as 'ndcg@10', 'recall@10', 'hit@10' mapped to the mean over counted users. */
  readonly metrics: Record<string, number>;
  /** Users counted. */
  readonly nUsers: number;
  /** Users skipped because they have no relevant item. */
  readonly nSkipped: number;
}

function toSet(relevant: Relevant): ReadonlySet<number> {
  return relevant instanceof Set ? relevant : new Set(Array.from(relevant as NumArray));
}

function checkK(fn: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be a positive integer, got ${k}`);
}

// [min(k, n)] 0/1 flags: is the item at rank i relevant; throws on a duplicate in the top k or no relevant items.
function hitFlags(fn: string, ranked: NumArray, rel: ReadonlySet<number>, k: number): Uint8Array {
  if (rel.size === 0) throw new Error(`${fn}: user has no relevant items; the metric is undefined`);
  const seen = new Set<number>();
  const len = Math.min(k, ranked.length);
  const flags = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const item = ranked[i]!;
    if (seen.has(item)) throw new Error(`${fn}: item ${item} appears twice in the ranked list (rank ${i})`);
    seen.add(item);
    flags[i] = rel.has(item) ? 1 : 0;
  }
  return flags;
}

function idcg(nRel: number, k: number): number {
  let sum = 0;
  for (let i = 0; i < Math.min(nRel, k); i++) sum += 1 / Math.log2(i + 2);
  return sum;
}

/**
 * NDCG@K of a ranked list [n] against a relevant set: sum over top-min(k, n) hits of 1/log2(rank + 1)
 * divided by the ideal sum over min(k, |relevant|) ranks; relevant items missing from the list count as misses.
 */
export function ndcgAtK(ranked: NumArray, relevant: Relevant, k: number): number {
  checkK('ndcgAtK', k);
  const rel = toSet(relevant);
  const flags = hitFlags('ndcgAtK', ranked, rel, k);
  let dcg = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === 1) dcg += 1 / Math.log2(i + 2);
  return dcg / idcg(rel.size, k);
}

/**
 * Recall@K of a ranked list [n]: relevant items in the top min(k, n) divided by |relevant| (RecBole's
 * denominator, so a user with more than k relevant items cannot reach 1).
 */
export function recallAtK(ranked: NumArray, relevant: Relevant, k: number): number {
  checkK('recallAtK', k);
  const rel = toSet(relevant);
  const flags = hitFlags('recallAtK', ranked, rel, k);
  let hits = 0;
  for (let i = 0; i < flags.length; i++) hits += flags[i]!;
  return hits / rel.size;
}

/**
 * Hit@K of a ranked list [n]: 1 if any of the top min(k, n) items is relevant, else 0.
 */
export function hitAtK(ranked: NumArray, relevant: Relevant, k: number): number {
  checkK('hitAtK', k);
  const flags = hitFlags('hitAtK', ranked, toSet(relevant), k);
  return flags.includes(1) ? 1 : 0;
}

/**
 * Mean NDCG@K, Recall@K and Hit@K over users for every k in `ks`; users with no relevant items are
 * skipped and counted, as RecBole leaves users without test items out of evaluation.
 */
export function rankingMetrics(users: readonly RankedUser[], ks: readonly number[]): RankingResult {
  if (ks.length === 0) throw new Error('rankingMetrics: ks is empty');
  for (const k of ks) checkK('rankingMetrics', k);
  const maxK = Math.max(...ks);
  const sums: Record<string, number> = {};
  for (const k of ks) sums[`ndcg@${k}`] = sums[`recall@${k}`] = sums[`hit@${k}`] = 0;
  let nUsers = 0;
  let nSkipped = 0;
  for (const user of users) {
    const rel = toSet(user.relevant);
    if (rel.size === 0) {
      nSkipped++;
      continue;
    }
    const flags = hitFlags('rankingMetrics', user.ranked, rel, maxK);
    for (const k of ks) {
      let dcg = 0;
      let hits = 0;
      for (let i = 0; i < Math.min(k, flags.length); i++) {
        if (flags[i] === 1) {
          dcg += 1 / Math.log2(i + 2);
          hits++;
        }
      }
      sums[`ndcg@${k}`]! += dcg / idcg(rel.size, k);
      sums[`recall@${k}`]! += hits / rel.size;
      sums[`hit@${k}`]! += hits > 0 ? 1 : 0;
    }
    nUsers++;
  }
  const metrics: Record<string, number> = {};
  for (const [key, sum] of Object.entries(sums)) metrics[key] = nUsers === 0 ? NaN : sum / nUsers;
  return { metrics, nUsers, nSkipped };
}
