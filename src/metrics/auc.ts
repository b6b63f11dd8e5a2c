// ROC AUC over all rows with scikit-learn's roc_auc_score semantics: a tied positive/negative pair
// gets half credit, so the value equals the trapezoidal area under the ROC curve; O(n log n).
// Reference: Hanley & McNeil, "The meaning and use of the area under a ROC curve" (Radiology, 1982).

/** Read-only numeric column: `number[]`, `Float32Array`, `Float64Array`, `Int32Array`, ... */
export type NumArray = ArrayLike<number>;

/**
 * Validate a binary problem (labels [n] in {0, 1}, scores [n] finite) and count its classes; throws a
 * message naming `fn` and the offending row (sklearn also rejects NaN and infinite scores).
 */
export function checkBinary(
  fn: string,
  labels: NumArray,
  scores: NumArray,
): { nPos: number; nNeg: number } {
  if (labels.length !== scores.length) {
    throw new Error(`${fn}: labels and scores differ in length (${labels.length} vs ${scores.length})`);
  }
  if (labels.length === 0) throw new Error(`${fn}: no rows`);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const s = scores[i]!;
    if (y !== 0 && y !== 1) throw new Error(`${fn}: label at row ${i} is ${y}; expected 0 or 1`);
    if (!Number.isFinite(s)) throw new Error(`${fn}: score at row ${i} is ${s}; scores must be finite`);
    nPos += y;
  }
  return { nPos, nNeg: labels.length - nPos };
}

/**
 * Row order that sorts `values` [n] ascending (stable), as a [n] uint32 permutation.
 */
export function argsortAscending(values: NumArray): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => values[a]! - values[b]!);
}

/**
 * Area under the ROC curve for labels [n] in {0, 1} and scores [n] (higher = more positive) whose
 * inputs were already checked; returns NaN when one class is absent.
 */
export function aucUnchecked(labels: NumArray, scores: NumArray): number {
  const order = argsortAscending(scores);
  const n = order.length;
  let nNeg = 0;
  let nPos = 0;
  let u = 0; // Mann-Whitney U: positive/negative pairs ranked correctly, ties counted 1/2
  let i = 0;
  while (i < n) {
    const s = scores[order[i]!]!;
    let p = 0;
    let q = 0;
    for (; i < n && scores[order[i]!]! === s; i++) {
      if (labels[order[i]!]! === 1) p++;
      else q++;
    }
    u += p * (nNeg + q / 2);
    nNeg += q;
    nPos += p;
  }
  return nPos === 0 || nNeg === 0 ? NaN : u / (nPos * nNeg);
}

/**
 * ROC AUC of scores [n] (any finite number, higher = more positive) against labels [n] in {0, 1};
 * equals sklearn.metrics.roc_auc_score and throws when only one class is present.
 */
export function auc(labels: NumArray, scores: NumArray): number {
  const { nPos, nNeg } = checkBinary('auc', labels, scores);
  if (nPos === 0 || nNeg === 0) {
    throw new Error(
      `auc: only one class present (all ${labels.length} labels are ${nPos === 0 ? 0 : 1}); AUC is undefined`,
    );
  }
  return aucUnchecked(labels, scores);
}
