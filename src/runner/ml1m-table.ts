// The headline comparison table: MF, TALLRec, CoLLM and CoRA (on one or more CF backbones) on the
// CoLLM ML-1M split, several seeds; mean and 95% t-interval over seeds of test AUC / UAUC overall, warm
// and cold (CoRA's not_cold definition), and DeLong p-values of CoRA vs CoLLM and CoLLM vs TALLRec on
// the same test rows (one test per seed; the table shows the largest p).
// Reference: docs/methods.md §7; DeLong et al. 1988.
import { delongTest } from '../metrics/delong';
import { meanSd } from './tables';

/** One run as stored in results/ml1m-table.json. */
export interface TableRecord {
  readonly method: string;
  readonly cf: string | null;
  readonly seed: number;
  readonly test: { readonly auc: number | null; readonly uauc: number | null; readonly warmAuc: number | null; readonly coldAuc: number | null; readonly uaucUsers: number };
  readonly trainableParameters: number;
  readonly wallSeconds: number;
  /** Test-set scoring throughput (LLM methods; null for CF models). */
  readonly scoringSamplesPerSecond?: number | null;
}

/** Two-sided 95% t quantiles by degrees of freedom (1..10). */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** "mean ± half-width" of a 95% t-interval over seeds (just the mean for one seed). */
export function meanCi(xs: readonly (number | null)[]): string {
  const { mean, sd, n } = meanSd(xs);
  if (n === 0) return 'n/a';
  if (n === 1) return mean.toFixed(4);
  return `${mean.toFixed(4)} ± ${((T95[n - 1] ?? 1.96) * sd / Math.sqrt(n)).toFixed(4)}`;
}

/** Largest DeLong p-value over seeds between two methods' per-row test scores (same rows per seed). */
export function maxDelongP(pairs: readonly { labels: ArrayLike<number>; a: ArrayLike<number>; b: ArrayLike<number> }[]): number | null {
  if (pairs.length === 0) return null;
  return Math.max(...pairs.map((p) => delongTest(Array.from(p.labels), Array.from(p.a), Array.from(p.b)).pValue));
}

/** The markdown table (rows in the order given by `order`, e.g. "MF", "TALLRec", "CoLLM-MF", ...). */
export function formatMl1mTable(records: readonly TableRecord[], pValues: Readonly<Record<string, number | null>>): string {
  const label = (r: TableRecord) => (r.method === 'mf' ? 'MF' : r.method === 'tallrec' ? 'TALLRec' : r.method === 'base' ? 'base LLM' : `${r.method === 'cora' ? 'CoRA' : 'CoLLM'}-${(r.cf ?? '').toUpperCase().replace('LIGHTGCN', 'LightGCN').replace('SASREC', 'SASRec')}`);
  const groups = new Map<string, TableRecord[]>();
  for (const r of records) groups.set(label(r), [...(groups.get(label(r)) ?? []), r]);
  const lines = ['| method | seeds | test AUC | test UAUC | warm AUC | cold AUC | trained params | scoring samples/s | wall s / run |', '|---|---|---|---|---|---|---|---|---|'];
  for (const [name, rs] of groups) {
    const t = (k: keyof TableRecord['test']) => meanCi(rs.map((r) => r.test[k] as number | null));
    const sps = rs.map((r) => r.scoringSamplesPerSecond ?? null).filter((x): x is number => x !== null);
    const spsCell = sps.length ? (sps.reduce((a, x) => a + x, 0) / sps.length).toFixed(1) : '—';
    lines.push(`| ${name} | ${rs.length} | ${t('auc')} | ${t('uauc')} | ${t('warmAuc')} | ${t('coldAuc')} | ${rs[0]!.trainableParameters} | ${spsCell} | ${(rs.reduce((a, r) => a + r.wallSeconds, 0) / rs.length).toFixed(0)} |`);
  }
  const ps = Object.entries(pValues).map(([k, p]) => `${k}: p ${p === null ? 'n/a' : p < 1e-4 ? '< 1e-4' : p.toFixed(4)}`);
  return lines.join('\n') + (ps.length ? `\n\nDeLong tests on test AUC (largest p over seeds): ${ps.join('; ')}.` : '');
}
