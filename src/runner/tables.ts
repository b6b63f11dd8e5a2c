// Plain-text and markdown tables of run results: per-run lines for the console, and mean ± sd over
// seeds next to the published numbers for the README. Reference: CoLLM v3 Table II (docs/methods.md §8).
import type { CFKind } from '../cf/types';
import type { EvalBlock } from './evaluate';

/** The fields of a run the tables read. */
export interface TableRun {
  readonly model: CFKind;
  readonly seed: number;
  readonly test: Pick<EvalBlock, 'auc' | 'uauc' | 'uaucUsers'> & Partial<Pick<EvalBlock, 'warmCold'>>;
  readonly meta?: { readonly wallSeconds: number; readonly startedAt?: string; readonly gitCommit?: string | null };
  readonly training?: { readonly bestEpoch: number; readonly epochsRun: number };
}

/** CoLLM v3 Table II, ML-1M, test AUC / UAUC (CF rows do not depend on the LLM). */
export const COLLM_PAPER_ML1M: Readonly<Record<Exclude<CFKind, 'content' | 'hash-mf'>, { readonly auc: number; readonly uauc: number }>> = Object.freeze({
  mf: { auc: 0.6482, uauc: 0.6361 },
  lightgcn: { auc: 0.5959, uauc: 0.6499 },
  sasrec: { auc: 0.7078, uauc: 0.6884 },
  din: { auc: 0.7166, uauc: 0.6459 },
});

const NAMES: Record<CFKind, string> = { mf: 'MF', lightgcn: 'LightGCN', sasrec: 'SASRec', din: 'DIN', content: 'Content', 'hash-mf': 'Hash-MF' };

/** Sample mean and standard deviation (n - 1; 0 for a single value) of the finite values. */
export function meanSd(xs: readonly (number | null)[]): { mean: number; sd: number; n: number } {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const f4 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));

/** One line per run: model, seed, test AUC/UAUC overall, warm and cold (CoRA's not_cold split). */
export function formatRunTable(runs: readonly TableRun[]): string {
  const head = ['model', 'seed', 'test AUC', 'test UAUC', 'users', 'warm AUC', 'cold AUC', 'best epoch', 'wall s'];
  const rows = runs.map((r) => [
    NAMES[r.model], String(r.seed), f4(r.test.auc), f4(r.test.uauc), String(r.test.uaucUsers),
    f4(r.test.warmCold?.cora?.warm.auc), f4(r.test.warmCold?.cora?.cold.auc),
    r.training ? `${r.training.bestEpoch}/${r.training.epochsRun}` : '', r.meta ? r.meta.wallSeconds.toFixed(0) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Markdown table: per model, test AUC and UAUC as mean ± sd over seeds beside the paper's numbers. */
export function formatPaperTable(runs: readonly TableRun[], paper: Readonly<Partial<Record<CFKind, { auc: number; uauc: number }>>> = COLLM_PAPER_ML1M): string {
  const out = [
    '| model | seeds | test AUC (kit) | test UAUC (kit) | AUC (paper) | UAUC (paper) | ΔAUC | ΔUAUC | users in UAUC | wall time / run |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const kinds = [...new Set(runs.map((r) => r.model))];
  for (const k of kinds) {
    const rs = runs.filter((r) => r.model === k);
    const a = meanSd(rs.map((r) => r.test.auc)), u = meanSd(rs.map((r) => r.test.uauc));
    const p = paper[k];
    const w = meanSd(rs.map((r) => r.meta?.wallSeconds ?? null));
    const users = [...new Set(rs.map((r) => r.test.uaucUsers))].join('/');
    const d = (x: number, y: number | undefined) => (y === undefined ? 'n/a' : `${x - y >= 0 ? '+' : ''}${(x - y).toFixed(4)}`);
    out.push(`| ${NAMES[k]} | ${a.n} | ${f4(a.mean)} ± ${f4(a.sd)} | ${f4(u.mean)} ± ${f4(u.sd)} | ${p ? p.auc.toFixed(4) : 'n/a'} | ${p ? p.uauc.toFixed(4) : 'n/a'} | ` +
      `${d(a.mean, p?.auc)} | ${d(u.mean, p?.uauc)} | ${users} | ${Number.isFinite(w.mean) ? `${w.mean.toFixed(0)} s` : 'n/a'} |`);
  }
  return out.join('\n');
}

/** Replace the text between <!-- name:start --> and <!-- name:end --> markers; throws when they are missing. */
export function replaceMarkedSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start), j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${start} ... ${end} not found`);
  return doc.slice(0, i + start.length) + '\n' + body.trim() + '\n' + doc.slice(j);
}
