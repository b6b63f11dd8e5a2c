// Scores in, the kit's standard metric block out: AUC, UAUC (with users counted), log loss, overall
// and on warm / cold rows under each named warm-cold definition. Used by every experiment runner.
// Reference: docs/methods.md §1 (warm/cold definitions) and §7 (metrics).
import type { Dataset, SplitName } from '../data/types';
import { WARM_COLD_DEFINITIONS, warmColdMasks, type WarmColdDefinition } from '../data/warm-cold';
import { auc } from '../metrics/auc';
import { logLossFromLogits } from '../metrics/logloss';
import { uauc } from '../metrics/uauc';

/** Metrics on one set of rows; null where a metric is undefined (e.g. a single class). */
export interface RowMetrics {
  /** Rows evaluated. */
  readonly n: number;
  /** Share of positive labels. */
  readonly posRate: number;
  /** ROC AUC over all rows. */
  readonly auc: number | null;
  /** Mean per-user AUC over users with both classes and >1 row. */
  readonly uauc: number | null;
  /** Users that counted in UAUC. */
  readonly uaucUsers: number;
  /** Mean log loss of sigmoid(logit). */
  readonly logLoss: number | null;
}

/** Metrics overall and on warm/cold rows under each definition. */
export interface EvalBlock extends RowMetrics {
  /** Per warm-cold definition: metrics on its warm and its cold rows. */
  readonly warmCold: Readonly<Record<WarmColdDefinition, { readonly warm: RowMetrics; readonly cold: RowMetrics }>>;
}

function pick<T extends ArrayLike<number>>(a: T, mask: Uint8Array | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (!mask || mask[i]) out.push(a[i]!);
  return out;
}

/** AUC, UAUC and log loss of logits on the rows selected by mask (all rows when null). */
export function rowMetrics(logits: ArrayLike<number>, labels: ArrayLike<number>, users: ArrayLike<number>, mask: Uint8Array | null = null): RowMetrics {
  const s = pick(logits, mask), y = pick(labels, mask), u = pick(users, mask);
  const nPos = y.reduce((a, b) => a + b, 0);
  const bothClasses = nPos > 0 && nPos < y.length;
  const ua = y.length > 0 ? uauc(u, y, s) : null;
  return {
    n: y.length,
    posRate: y.length ? nPos / y.length : 0,
    auc: bothClasses ? auc(y, s) : null,
    uauc: ua && ua.nUsers > 0 ? ua.uauc : null,
    uaucUsers: ua ? ua.nUsers : 0,
    logLoss: y.length ? logLossFromLogits(y, s) : null,
  };
}

/** The full metric block for one split's logits (row order of the split). */
export function evaluateSplit(dataset: Dataset, split: SplitName, logits: ArrayLike<number>): EvalBlock {
  const sp = dataset.splits[split];
  if (!sp) throw new Error(`evaluateSplit: dataset ${dataset.name} has no split "${split}"`);
  if (logits.length !== sp.label.length) throw new Error(`evaluateSplit: ${logits.length} scores for ${sp.label.length} rows of ${dataset.name}/${split}`);
  const warmCold = {} as Record<WarmColdDefinition, { warm: RowMetrics; cold: RowMetrics }>;
  for (const def of WARM_COLD_DEFINITIONS) {
    const m = warmColdMasks(dataset, sp, def);
    warmCold[def] = { warm: rowMetrics(logits, sp.label, sp.userIdx, m.warm), cold: rowMetrics(logits, sp.label, sp.userIdx, m.cold) };
  }
  return { ...rowMetrics(logits, sp.label, sp.userIdx), warmCold };
}
