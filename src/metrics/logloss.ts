// Binary log loss (mean negative log-likelihood) on probabilities, clipped to [eps, 1 - eps], and on
// raw logits through a numerically stable softplus that needs no clipping.
// Reference: scikit-learn `sklearn.metrics.log_loss`; Bishop, "Pattern Recognition and Machine Learning" §4.3.2.

import type { NumArray } from './auc';

/**
 * Default clip for `logLoss`, 1e-7 (about float32 machine epsilon, 1.19e-7, and the Keras epsilon).
 * sklearn >= 1.2 clips at `np.finfo(y_pred.dtype).eps` instead: 1.19e-7 for float32 input, 2.22e-16 for
 * float64 input (`Number.EPSILON`); sklearn < 1.2 used 1e-15. Pass `eps` to reproduce either exactly.
 */
export const LOG_LOSS_EPS = 1e-7;

function checkLabels(fn: string, labels: NumArray, values: NumArray, what: string): void {
  if (labels.length !== values.length) {
    throw new Error(`${fn}: labels and ${what} differ in length (${labels.length} vs ${values.length})`);
  }
  if (labels.length === 0) throw new Error(`${fn}: no rows`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw new Error(`${fn}: label at row ${i} is ${y}; expected 0 or 1`);
  }
}

/**
 * Mean binary cross-entropy of probabilities [n] in [0, 1] against labels [n] in {0, 1}, each
 * probability clipped to [eps, 1 - eps] first (default `LOG_LOSS_EPS`); matches sklearn's log_loss.
 */
export function logLoss(labels: NumArray, probs: NumArray, opts: { eps?: number } = {}): number {
  const eps = opts.eps ?? LOG_LOSS_EPS;
  if (!(eps > 0 && eps < 0.5)) throw new Error(`logLoss: eps must be in (0, 0.5), got ${eps}`);
  checkLabels('logLoss', labels, probs, 'probs');
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`logLoss: probability at row ${i} is ${p}; expected [0, 1]`);
    const c = Math.min(Math.max(p, eps), 1 - eps);
    sum -= labels[i]! === 1 ? Math.log(c) : Math.log1p(-c);
  }
  return sum / probs.length;
}

/**
 * Mean binary cross-entropy of logits [n] (finite, p = sigmoid(z)) against labels [n] in {0, 1},
 * computed as max(z, 0) - y z + log1p(exp(-|z|)); exact for any |z|, so unlike `logLoss` it is unclipped.
 */
export function logLossFromLogits(labels: NumArray, logits: NumArray): number {
  checkLabels('logLossFromLogits', labels, logits, 'logits');
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    if (!Number.isFinite(z)) throw new Error(`logLossFromLogits: logit at row ${i} is ${z}; must be finite`);
    sum += Math.max(z, 0) - labels[i]! * z + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return sum / logits.length;
}
