// Test metrics of finished CF runs as plain records: per model, test AUC / UAUC (mean and sd over
// seeds), on warm and cold rows under one definition, beside the CoLLM paper's ML-1M rows; and the same
// numbers in long form for a grouped bar figure.
// Reference: CoLLM v3 Table II (COLLM_PAPER_ML1M); docs/methods.md §7-8.
import type { CFKind } from '../cf/types';
import type { WarmColdDefinition } from '../data/warm-cold';
import type { CFRunResult } from './cf-experiment';
import { COLLM_PAPER_ML1M, meanSd } from './tables';

/** Display names of the CF models. */
export const CF_MODEL_LABELS: Readonly<Record<CFKind, string>> = Object.freeze({ mf: 'MF', lightgcn: 'LightGCN', sasrec: 'SASRec', din: 'DIN', content: 'Content', 'hash-mf': 'Hash-MF' });

/** The fields of a CF run result the table reads. */
export type CFReportRun = Pick<CFRunResult, 'model' | 'seed' | 'test'> & { readonly meta?: { readonly wallSeconds: number }; readonly training?: { readonly bestEpoch: number; readonly epochsRun: number } };

/** One model's test numbers (a type alias so that it fits the table and series helpers). */
export type CFTestRow = {
  readonly model: string;
  readonly seeds: number;
  /** Test AUC / UAUC, mean over seeds, and their sample sd (0 for one seed). */
  readonly auc: number | null;
  readonly aucSd: number | null;
  readonly uauc: number | null;
  readonly uaucSd: number | null;
  /** Users counted in UAUC (of the first seed). */
  readonly users: number;
  /** Mean test AUC / UAUC on the warm and the cold rows of the chosen definition. */
  readonly warmAuc: number | null;
  readonly coldAuc: number | null;
  readonly warmUauc: number | null;
  readonly coldUauc: number | null;
  /** The paper's row (null where it has none). */
  readonly paperAuc: number | null;
  readonly paperUauc: number | null;
  /** Mean best epoch and epochs run, and mean wall time per run in seconds (null when unknown). */
  readonly bestEpoch: number | null;
  readonly epochsRun: number | null;
  readonly wallSeconds: number | null;
};

const mean = (xs: readonly (number | null | undefined)[]): number | null => {
  const m = meanSd(xs.map((x) => x ?? null));
  return m.n === 0 ? null : m.mean;
};
const sd = (xs: readonly (number | null)[]): number | null => {
  const m = meanSd(xs);
  return m.n === 0 ? null : m.sd;
};

/** Per model (in order of first appearance): test metrics over its runs, warm/cold under `definition`, and `paper`'s row. */
export function cfTestRows(runs: readonly CFReportRun[], definition: WarmColdDefinition, paper: Readonly<Partial<Record<CFKind, { readonly auc: number; readonly uauc: number }>>> = COLLM_PAPER_ML1M): CFTestRow[] {
  const kinds = [...new Set(runs.map((r) => r.model))];
  return kinds.map((k) => {
    const rs = runs.filter((r) => r.model === k);
    const wc = rs.map((r) => r.test.warmCold[definition]);
    const p = paper[k];
    return {
      model: CF_MODEL_LABELS[k] ?? k, seeds: rs.length,
      auc: mean(rs.map((r) => r.test.auc)), aucSd: sd(rs.map((r) => r.test.auc)),
      uauc: mean(rs.map((r) => r.test.uauc)), uaucSd: sd(rs.map((r) => r.test.uauc)),
      users: rs[0]!.test.uaucUsers,
      warmAuc: mean(wc.map((w) => w.warm.auc)), coldAuc: mean(wc.map((w) => w.cold.auc)),
      warmUauc: mean(wc.map((w) => w.warm.uauc)), coldUauc: mean(wc.map((w) => w.cold.uauc)),
      paperAuc: p?.auc ?? null, paperUauc: p?.uauc ?? null,
      bestEpoch: mean(rs.map((r) => r.training?.bestEpoch)), epochsRun: mean(rs.map((r) => r.training?.epochsRun)),
      wallSeconds: mean(rs.map((r) => r.meta?.wallSeconds)),
    };
  });
}

/** One bar of the comparison figure: a model, which number (e.g. "AUC (kit)"), its value and, for the kit's over several seeds, mean ± sd. */
export type CFTestBar = {
  readonly model: string;
  readonly series: string;
  readonly value: number;
  readonly lo: number | null;
  readonly hi: number | null;
};

/** Long form of cfTestRows for a grouped bar figure: the kit's AUC and UAUC and the paper's; missing numbers are left out. */
export function cfTestBars(rows: readonly CFTestRow[]): CFTestBar[] {
  const out: CFTestBar[] = [];
  for (const metric of ['auc', 'uauc'] as const) {
    const name = metric === 'auc' ? 'AUC' : 'UAUC';
    for (const r of rows) {
      const v = r[metric], s = r[metric === 'auc' ? 'aucSd' : 'uaucSd'];
      const band = v !== null && s !== null && r.seeds > 1;
      if (v !== null) out.push({ model: r.model, series: `${name} (kit)`, value: v, lo: band ? v - s : null, hi: band ? v + s : null });
    }
    for (const r of rows) {
      const v = metric === 'auc' ? r.paperAuc : r.paperUauc;
      if (v !== null) out.push({ model: r.model, series: `${name} (CoLLM paper)`, value: v, lo: null, hi: null });
    }
  }
  return out;
}
