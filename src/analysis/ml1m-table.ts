// The ML-1M headline table from finished runs: one record per run in the results format other tools
// read ({ meta, runs, comparisons }), user-clustered paired bootstrap and row-level DeLong comparisons per
// seed and pooled over seeds, the README table (mean ± 95% t-interval over seeds, paper numbers beside)
// and the comparisons the README's claims cite.
// Reference: docs/methods.md §7-8; issue "Comparisons that hold" (result format).
import * as fs from 'fs';
import * as path from 'path';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import { provenanceSummary, type ProvenanceSummary, type RunMeta } from '../core/run-meta';
import { loadDataset } from '../data/load';
import type { Dataset } from '../data/types';
import type { CFRunResult } from '../runner/cf-experiment';
import type { EvalBlock } from '../runner/evaluate';
import { checkNoOtherExperiments, plannedRunDir, type PlannedRun } from '../runner/ml1m-plan';
import type { RecRunResult } from '../runner/rec-experiment';
import { COLLM_PAPER_ML1M, meanSd, replaceMarkedSection } from '../runner/tables';
import { compareRuns, comparisonRows, type ComparisonRows, type RunComparison, type ScoredRun } from './run-comparison';
import { runScores } from './run-compare';

/** Published ML-1M test AUC / UAUC of the LLM rows (CoLLM v3 Table II; CoRA paper; BinLLM paper), all on Vicuna-7B. */
export const PAPER_LLM_ML1M: Readonly<Record<string, { readonly auc: number; readonly uauc: number; readonly source: string }>> = Object.freeze({
  TALLRec: { auc: 0.7097, uauc: 0.6818, source: 'CoLLM v3 Table II' },
  'CoLLM-MF': { auc: 0.7295, uauc: 0.6875, source: 'CoLLM v3 Table II' },
  'CoLLM-LightGCN': { auc: 0.7100, uauc: 0.6967, source: 'CoLLM v3 Table II' },
  'CoLLM-SASRec': { auc: 0.7235, uauc: 0.6990, source: 'CoLLM v3 Table II' },
  'CoRA-MF': { auc: 0.7361, uauc: 0.6884, source: 'CoRA paper' },
  'CoRA-LightGCN': { auc: 0.7128, uauc: 0.6966, source: 'CoRA paper' },
  'CoRA-SASRec': { auc: 0.7019, uauc: 0.6517, source: 'CoRA paper' },
  BinLLM: { auc: 0.7425, uauc: 0.6956, source: 'BinLLM paper (MF codes)' },
  MF: { ...COLLM_PAPER_ML1M.mf, source: 'CoLLM v3 Table II' },
  LightGCN: { ...COLLM_PAPER_ML1M.lightgcn, source: 'CoLLM v3 Table II' },
  SASRec: { ...COLLM_PAPER_ML1M.sasrec, source: 'CoLLM v3 Table II' },
  DIN: { ...COLLM_PAPER_ML1M.din, source: 'CoLLM v3 Table II' },
});

/** One run of the table, in the shared results format. */
export interface Ml1mTableRun {
  /** Run folder name under results/runs. */
  readonly name: string;
  /** Table row, e.g. "CoRA-MF" or "TALLRec (plain LLM)". */
  readonly row: string;
  /** Method or CF model name as the run recorded it. */
  readonly method: string;
  /** CF backbone of LLM methods; null otherwise. */
  readonly cf: string | null;
  readonly seed: number;
  /** CoRA's preset; null for other methods. */
  readonly preset: string | null;
  readonly test: { readonly auc: number | null; readonly uauc: number | null; readonly uaucUsers: number };
  /** Warm and cold rows under `warmColdDefinition`. */
  readonly warm: { readonly auc: number | null; readonly n: number };
  readonly cold: { readonly auc: number | null; readonly n: number };
  readonly warmColdDefinition: 'cora';
  readonly trainableParameters: number | null;
  /** Training rows seen (LLM methods: steps x batch; CF models: epochs run x train rows). */
  readonly samplesSeen: number | null;
  readonly stepsTrained: number | null;
  readonly warmupSteps: number | null;
  /** Test-set scoring throughput (LLM methods), null for CF models. */
  readonly scoringSamplesPerSecond: number | null;
  /** Wall seconds summed over the run's processes. */
  readonly wallSeconds: number;
  readonly config: unknown;
  readonly meta: ProvenanceSummary;
  /** Per-epoch history: epoch, train loss, valid AUC, improved, seconds. */
  readonly history: readonly unknown[];
}

/** A comparison of the table: a RunComparison per seed ("seed") or pooled over seeds (seed "pooled"). */
export type TableComparison = Omit<RunComparison, 'seed' | 'a' | 'b'> & { readonly a: string; readonly b: string; readonly seed: number | 'pooled'; readonly bootstrapSeed: number };

/** The results file. */
export interface Ml1mTableFile {
  readonly meta: {
    readonly generatedAt: string;
    /** Distinct code hashes of the runs (one when the table was run on one code state). */
    readonly codeHashes: readonly string[];
    /** Whether every run started on a clean tree. */
    readonly allClean: boolean;
    readonly seeds: readonly number[];
    readonly warmColdDefinition: 'cora';
    readonly statistics: string;
    /** Runs of the plan without a finished result (the table is partial while any are listed). */
    readonly missing: readonly string[];
  };
  readonly runs: readonly Ml1mTableRun[];
  readonly comparisons: readonly TableComparison[];
}

function fromEval(test: EvalBlock): Pick<Ml1mTableRun, 'test' | 'warm' | 'cold'> {
  const wc = test.warmCold.cora;
  return { test: { auc: test.auc, uauc: test.uauc, uaucUsers: test.uaucUsers }, warm: { auc: wc.warm.auc, n: wc.warm.n }, cold: { auc: wc.cold.auc, n: wc.cold.n } };
}

/** The table record of a finished run folder of the plan. */
export function tableRun(p: PlannedRun, root = projectRoot()): Ml1mTableRun | null {
  const f = path.join(plannedRunDir(p.name, root), 'result.json');
  if (!fs.existsSync(f)) return null;
  if (p.kind === 'cf') {
    const r = readJson<CFRunResult>(f);
    return {
      name: p.name, row: p.row, method: r.model, cf: null, seed: r.seed, preset: null, ...fromEval(r.test), warmColdDefinition: 'cora',
      trainableParameters: null, samplesSeen: r.training.epochsRun * r.data.rows['train']!, stepsTrained: null, warmupSteps: null,
      scoringSamplesPerSecond: null, wallSeconds: r.meta.wallSeconds, config: r.config, meta: provenanceSummary(r.meta as RunMeta), history: r.training.history,
    };
  }
  const r = readJson<RecRunResult>(f);
  return {
    name: p.name, row: p.row, method: r.config.method, cf: r.cf, seed: r.seed, preset: typeof r.config.options['preset'] === 'string' ? r.config.options['preset'] : null,
    ...fromEval(r.test), warmColdDefinition: 'cora', trainableParameters: r.trainableParameters, samplesSeen: r.samplesSeen, stepsTrained: r.stepsTrained,
    warmupSteps: r.warmupSteps, scoringSamplesPerSecond: r.scoringSamplesPerSecond, wallSeconds: r.meta.wallSeconds, config: r.config,
    meta: provenanceSummary(r.meta), history: r.training?.history ?? [],
  };
}

/** The row pairs the table compares: [a, b] row labels (a minus b). */
export function comparisonPairs(rows: ReadonlySet<string>): [string, string][] {
  const out: [string, string][] = [];
  const add = (a: string, b: string) => { if (rows.has(a) && rows.has(b)) out.push([a, b]); };
  for (const cf of ['MF', 'LightGCN', 'SASRec']) {
    add(`CoRA-${cf}`, `CoLLM-${cf}`);
    add(`CoLLM-${cf}`, 'TALLRec');
    add(`CoRA-${cf}`, 'TALLRec');
    add(`CoLLM-${cf}`, cf);
    add(`CoRA-${cf}`, cf);
  }
  // BinLLM reads MF-like codes of its own hash-MF: against CoLLM-MF (the same information as tokens), TALLRec and its code model
  add('BinLLM', 'CoLLM-MF');
  add('BinLLM', 'TALLRec');
  add('BinLLM', 'Hash-MF (BinLLM codes)');
  // text against interactions: where item text wins (cold rows) and where CF does (warm rows)
  add('TALLRec', 'MF');
  add('content baseline', 'MF');
  add('TALLRec', 'content baseline');
  add('TALLRec', 'base LLM');
  for (const r of rows) if (r.endsWith(' (plain LLM)')) add(r.slice(0, -' (plain LLM)'.length), r);
  return out;
}

const SEED_STRIDE = 1e7;

/** Per-seed and pooled comparisons of two rows (pooled: every seed's rows in one bootstrap, users as clusters across seeds). */
export function compareRows(a: readonly Ml1mTableRun[], b: readonly Ml1mTableRun[], rows: ComparisonRows, scores: (run: Ml1mTableRun) => { rowId: number[]; logit: number[] }, bootstrapSeed = 0, nResamples = 1000): TableComparison[] {
  const out: TableComparison[] = [];
  const seeds = [...new Set(a.map((r) => r.seed))].filter((s) => b.some((r) => r.seed === s)).sort((x, y) => x - y);
  const pooledA = { rowId: [] as number[], logit: [] as number[] }, pooledB = { rowId: [] as number[], logit: [] as number[] };
  const pooledRows = { rowId: [] as number[], userIdx: [] as number[], label: [] as number[], warm: [] as number[], cold: [] as number[] };
  for (const [k, seed] of seeds.entries()) {
    const ra = a.find((r) => r.seed === seed)!, rb = b.find((r) => r.seed === seed)!;
    const sa: ScoredRun = { name: ra.name, ...scores(ra) }, sb: ScoredRun = { name: rb.name, ...scores(rb) };
    for (const c of compareRuns(sa, sb, rows, { seed: bootstrapSeed, nResamples })) out.push({ ...c, a: ra.row, b: rb.row, seed, bootstrapSeed });
    for (const [src, dst] of [[sa, pooledA], [sb, pooledB]] as const) for (let i = 0; i < src.rowId.length; i++) { dst.rowId.push(k * SEED_STRIDE + src.rowId[i]!); dst.logit.push(src.logit[i]!); }
    for (let i = 0; i < rows.rowId.length; i++) {
      pooledRows.rowId.push(k * SEED_STRIDE + rows.rowId[i]!); pooledRows.userIdx.push(rows.userIdx[i]!); pooledRows.label.push(rows.label[i]!);
      pooledRows.warm.push(rows.warm[i]!); pooledRows.cold.push(rows.cold[i]!);
    }
  }
  if (seeds.length > 1) {
    const pr: ComparisonRows = { ...pooledRows, warm: Uint8Array.from(pooledRows.warm), cold: Uint8Array.from(pooledRows.cold), warmCold: rows.warmCold };
    for (const c of compareRuns({ name: 'a', ...pooledA }, { name: 'b', ...pooledB }, pr, { seed: bootstrapSeed, nResamples })) out.push({ ...c, a: a[0]!.row, b: b[0]!.row, seed: 'pooled', bootstrapSeed });
  }
  return out;
}

/** Builds the table file from the plan's finished runs (comparisons need the dataset for labels, users and warm/cold). */
export function buildMl1mTable(plan: readonly PlannedRun[], dataset: Dataset, root = projectRoot(), nResamples = 1000): Ml1mTableFile {
  checkNoOtherExperiments(plan, root);
  const runs: Ml1mTableRun[] = [], missing: string[] = [];
  for (const p of plan) {
    const r = tableRun(p, root);
    if (r) runs.push(r);
    else missing.push(p.name);
  }
  const byRow = new Map<string, Ml1mTableRun[]>();
  for (const r of runs) byRow.set(r.row, [...(byRow.get(r.row) ?? []), r]);
  const rows = comparisonRows(dataset, 'test', 'cora');
  const scores = (r: Ml1mTableRun) => runScores(plannedRunDir(r.name, root), 'test');
  const comparisons = comparisonPairs(new Set(byRow.keys())).flatMap(([a, b]) => compareRows(byRow.get(a)!, byRow.get(b)!, rows, scores, 0, nResamples));
  return {
    meta: {
      generatedAt: new Date().toISOString(), codeHashes: [...new Set(runs.map((r) => r.meta.codeHash ?? 'unknown'))], allClean: runs.every((r) => r.meta.gitDirty === false),
      seeds: [...new Set(runs.map((r) => r.seed))].sort((x, y) => x - y), warmColdDefinition: 'cora',
      statistics: 'comparisons: user-clustered paired bootstrap (users resampled with all their rows, both runs paired; percentile CI, centred two-sided p) and row-level DeLong (rows treated as independent); per seed and pooled over seeds (all seeds\' rows in one bootstrap, a user is one cluster across seeds)',
      missing,
    },
    runs, comparisons,
  };
}

/** Two-sided 95% t quantiles by degrees of freedom (1..10). */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** "mean ± half-width" of a 95% t-interval over seeds (the value alone for one seed; "n/a" for none). */
export function meanCi(xs: readonly (number | null)[]): string {
  const { mean, sd, n } = meanSd(xs);
  if (n === 0) return 'n/a';
  if (n === 1) return mean.toFixed(4);
  return `${mean.toFixed(4)} ± ${((T95[n - 1] ?? 1.96) * sd / Math.sqrt(n)).toFixed(4)}`;
}

const mean = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** The README table: one line per row in plan order. */
export function formatMl1mTable(t: Ml1mTableFile): string {
  const rows: string[] = [];
  for (const r of t.runs) if (!rows.includes(r.row)) rows.push(r.row);
  const lines = [
    '| row | seeds | test AUC | test UAUC | warm AUC | cold AUC | paper AUC / UAUC | trained params | samples seen | scoring samples/s | wall s / run |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const rs = t.runs.filter((r) => r.row === row);
    const p = PAPER_LLM_ML1M[row];
    const m = (xs: (number | null)[], d: number) => { const v = mean(xs); return v === null ? '—' : v.toFixed(d); };
    lines.push(`| ${row} | ${rs.length} | ${meanCi(rs.map((r) => r.test.auc))} | ${meanCi(rs.map((r) => r.test.uauc))} | ${meanCi(rs.map((r) => r.warm.auc))} | ${meanCi(rs.map((r) => r.cold.auc))} | ` +
      `${p ? `${p.auc.toFixed(4)} / ${p.uauc.toFixed(4)}` : '—'} | ${m(rs.map((r) => r.trainableParameters), 0)} | ${m(rs.map((r) => r.samplesSeen), 0)} | ${m(rs.map((r) => r.scoringSamplesPerSecond), 1)} | ${m(rs.map((r) => r.wallSeconds), 0)} |`);
  }
  return lines.join('\n');
}

const fp = (p: number | null): string => (p === null ? 'n/a' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3));

/** What a comparison shows: which row is ahead when the 95% CI of the difference excludes 0. */
export function comparisonVerdict(c: Pick<TableComparison, 'a' | 'b' | 'ci'>): string {
  if (!c.ci) return 'not computed';
  return c.ci[0] > 0 ? `${c.a} ahead` : c.ci[1] < 0 ? `${c.b} ahead` : 'no difference shown';
}

/**
 * The comparisons as README lines, each with its verdict: AUC on all, warm and cold rows and UAUC on all
 * rows; pooled over seeds where the two rows share two or more seeds, else one line per shared seed.
 */
export function formatComparisons(t: Ml1mTableFile): string {
  const shown = t.comparisons.filter((c) => c.metric === 'auc' || c.subset === 'all');
  const pairs = [...new Set(shown.map((c) => `${c.a}\u0000${c.b}`))];
  const lines: string[] = [];
  for (const pair of pairs) {
    const cs = shown.filter((c) => `${c.a}\u0000${c.b}` === pair);
    const pooled = cs.filter((c) => c.seed === 'pooled');
    for (const c of pooled.length ? pooled : cs) {
      lines.push(`- ${c.a} − ${c.b}, ${c.subset} rows, ${c.metric.toUpperCase()}${c.seed === 'pooled' ? '' : ` (seed ${c.seed})`}: `
        + `${c.diff === null ? 'n/a' : `${c.diff >= 0 ? '+' : ''}${c.diff.toFixed(4)}`} [${c.ci ? `${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}` : 'n/a'}], `
        + `p = ${fp(c.pUserBootstrap)} (user bootstrap)${c.metric === 'auc' ? `, ${fp(c.pDeLong)} (DeLong, rows)` : ''}: ${comparisonVerdict(c)}`);
    }
  }
  return lines.join('\n');
}

/** The README section (table, notes, comparisons) of a table file. */
export function ml1mReadmeSection(t: Ml1mTableFile): string {
  if (t.runs.length === 0) return `Not yet run at the current code: none of the ${t.meta.missing.length} planned runs has finished (\`npm run ml1m-table -- --plan\`).`;
  const partial = t.meta.missing.length ? `\n\n**Partial:** ${t.meta.missing.length} planned runs have not finished (listed in results/ml1m-table.json meta.missing).` : '';
  const code = t.meta.codeHashes.length === 1 ? `one code hash (${t.meta.codeHashes[0]!.slice(0, 12)})` : `${t.meta.codeHashes.length} code hashes (not one code state)`;
  const comparisons = formatComparisons(t);
  const llms = [...new Set(t.runs.map((r) => (r.config as { llmDir?: unknown } | null)?.llmDir).filter((x): x is string => typeof x === 'string'))];
  const llmNote = llms.length ? ` LLM rows on ${llms.map((x) => `\`${x}\``).join(', ')} (the "(plain LLM)" rows on the unadapted one).` : '';
  return `${formatMl1mTable(t)}\n\nGenerated from results/ml1m-table.json (${t.runs.length} runs, ${code}, ${t.meta.allClean ? 'all on a clean tree' : 'not all on a clean tree'}); `
    + `± = 95% t-interval over seeds; warm/cold = not_cold (CoRA's definition); paper rows on Vicuna-7B.${llmNote}${partial}\n\n`
    + (comparisons === '' ? 'No comparison yet (both rows of a pair need a finished run of the same seed).'
      : '**What holds.** Differences of the first row minus the second, pooled over the seeds both rows have when two or more, else per seed; '
      + '95% CI and p from a user-clustered paired bootstrap (users resampled with all their rows), row-level DeLong p beside; '
      + `a row is "ahead" when the CI excludes 0:\n\n${comparisons}`);
}

/** Builds results/ml1m-table.json from the plan's finished runs and rewrites the README section; returns the files written. */
export function writeMl1mTable(root: string, plan: readonly PlannedRun[], dataset?: Dataset): string[] {
  const t = buildMl1mTable(plan, dataset ?? loadDataset('collm-ml1m'), root);
  const file = path.join(root, 'results', 'ml1m-table.json');
  writeJsonAtomic(file, t);
  const readme = path.join(root, 'README.md');
  writeFileAtomic(readme, replaceMarkedSection(fs.readFileSync(readme, 'utf8'), 'ml1m-table', ml1mReadmeSection(t)));
  return [path.relative(root, file), 'README.md (ml1m-table)'];
}
