// User-averaged AUC (UAUC) exactly as CoLLM's official `uAUC_me`: one ROC AUC per user, users with a
// single row or a single label class are skipped, and the counted users' AUCs get an unweighted mean.
// Reference: Zhang et al., "CoLLM: Integrating Collaborative Embeddings into LLMs for Recommendation" (2023).

import { argsortAscending, aucUnchecked, checkBinary, type NumArray } from './auc';

/** Per-user AUCs, users in ascending id order (the order of numpy.unique in `uAUC_me`). */
export interface PerUserAuc {
  /** [nAllUsers] distinct user ids, ascending. */
  readonly users: Float64Array;
  /** [nAllUsers] rows per user. */
  readonly nRows: Uint32Array;
  /** [nAllUsers] the user's ROC AUC, NaN where the user is skipped (one row or one class). */
  readonly aucs: Float64Array;
  /** Users skipped because they have a single row. */
  readonly nSingleRow: number;
  /** Users skipped because their rows (two or more) share one label. */
  readonly nSingleClass: number;
}

/** Result of `uauc`; `nUsers + nSkipped` is the number of distinct users. */
export interface UaucResult {
  /** Mean of the counted users' AUCs; NaN when no user counts (numpy's mean of an empty array). */
  readonly uauc: number;
  /** Users counted (`computed user` in `uAUC_me`). */
  readonly nUsers: number;
  /** Users skipped: `nSingleRow + nSingleClass`. */
  readonly nSkipped: number;
  /** Users skipped because they have a single row (`only one interaction users`). */
  readonly nSingleRow: number;
  /** Users skipped because all their rows share one label (`can not users`). */
  readonly nSingleClass: number;
}

/**
 * ROC AUC of each user, for users [n], labels [n] in {0, 1} and scores [n] (finite); throws on NaN
 * scores, where `uAUC_me` would silently skip the user because its bare `except` swallows the error.
 */
export function perUserAuc(users: NumArray, labels: NumArray, scores: NumArray): PerUserAuc {
  checkBinary('uauc', labels, scores);
  if (users.length !== labels.length) {
    throw new Error(`uauc: users and labels differ in length (${users.length} vs ${labels.length})`);
  }
  for (let i = 0; i < users.length; i++) {
    if (!Number.isFinite(users[i]!)) throw new Error(`uauc: user id at row ${i} is ${users[i]}`);
  }
  const order = argsortAscending(users);
  const ids: number[] = [];
  const counts: number[] = [];
  const aucs: number[] = [];
  let nSingleRow = 0;
  let nSingleClass = 0;
  let i = 0;
  while (i < order.length) {
    const u = users[order[i]!]!;
    let j = i;
    while (j < order.length && users[order[j]!]! === u) j++;
    const m = j - i;
    let value = NaN;
    if (m === 1) {
      nSingleRow++;
    } else {
      const y = new Float64Array(m);
      const s = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        const row = order[i + r]!;
        y[r] = labels[row]!;
        s[r] = scores[row]!;
      }
      value = aucUnchecked(y, s);
      if (Number.isNaN(value)) nSingleClass++;
    }
    ids.push(u);
    counts.push(m);
    aucs.push(value);
    i = j;
  }
  return {
    users: Float64Array.from(ids),
    nRows: Uint32Array.from(counts),
    aucs: Float64Array.from(aucs),
    nSingleRow,
    nSingleClass,
  };
}

function summarize(per: PerUserAuc, weighted: boolean): UaucResult {
  let sum = 0;
  let weight = 0;
  let nUsers = 0;
  for (let u = 0; u < per.aucs.length; u++) {
    const a = per.aucs[u]!;
    if (Number.isNaN(a)) continue;
    const w = weighted ? per.nRows[u]! : 1;
    sum += w * a;
    weight += w;
    nUsers++;
  }
  const nSkipped = per.nSingleRow + per.nSingleClass;
  return {
    uauc: nUsers === 0 ? NaN : sum / weight,
    nUsers,
    nSkipped,
    nSingleRow: per.nSingleRow,
    nSingleClass: per.nSingleClass,
  };
}

/**
 * UAUC as CoLLM's `uAUC_me` for users [n] (any finite ids), labels [n] in {0, 1} and scores [n]:
 * the unweighted mean of per-user AUCs over users with at least two rows and both classes.
 */
export function uauc(users: NumArray, labels: NumArray, scores: NumArray): UaucResult {
  return summarize(perUserAuc(users, labels, scores), false);
}

/**
 * Row-weighted UAUC (GAUC, as in DIN) for users [n], labels [n] in {0, 1} and scores [n]: per-user AUCs
 * averaged with weights equal to the user's row count, over the same users `uauc` counts.
 */
export function weightedUauc(users: NumArray, labels: NumArray, scores: NumArray): UaucResult {
  return summarize(perUserAuc(users, labels, scores), true);
}
