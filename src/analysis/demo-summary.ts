// The demo's summary: every run (CF rows and LLM methods) evaluated on the same seeded test rows the LLM
// methods scored, overall and on warm/cold rows, and paired user-bootstrap comparisons of the pairs the
// papers' story rests on (text vs content baseline, CF signal vs text, CoRA vs CoLLM, LLM vs CF backbone).
// Reference: docs/methods.md §7; issue "The text channel" §5 (results/demo.json).
import type { Dataset, InteractionSplit } from '../data/types';
import { evaluateSplit } from '../runner/evaluate';
import { runScores } from './run-compare';
import { compareRuns, comparisonRows, type RunComparison } from './run-comparison';

/** One finished run of the demo. */
export interface DemoRun {
  /** Row label, e.g. "MF", "TALLRec", "CoRA-MF". */
  readonly name: string;
  /** Its run folder (scores.json). */
  readonly dir: string;
  readonly trainableParameters: number | null;
  readonly wallSeconds: number;
}

/** A row of results/demo.json. */
export interface DemoRow {
  readonly method: string;
  readonly test: { readonly auc: number | null; readonly uauc: number | null; readonly uaucUsers: number };
  readonly warm: { readonly auc: number | null; readonly n: number };
  readonly cold: { readonly auc: number | null; readonly n: number };
  readonly rows: number;
  readonly trainableParameters: number | null;
  readonly wallSeconds: number;
}

/** The pairs the demo compares (a minus b), kept when both rows ran. */
export const DEMO_PAIRS: readonly (readonly [string, string])[] = [
  ['TALLRec', 'base LLM'], ['TALLRec', 'content baseline'], ['CoLLM-MF', 'TALLRec'], ['CoRA-MF', 'TALLRec'],
  ['CoRA-MF', 'CoLLM-MF'], ['CoLLM-MF', 'MF'], ['CoRA-MF', 'MF'], ['MF', 'content baseline'],
];

/** The scores of a run on the sample's rows, in the sample's order; throws naming the run when a row is missing. */
function onSample(run: DemoRun, sample: InteractionSplit): Float32Array {
  const s = runScores(run.dir, 'test');
  const byId = new Map<number, number>();
  s.rowId.forEach((id, i) => byId.set(id, s.logit[i]!));
  return Float32Array.from(sample.rowId, (id) => {
    const v = byId.get(id);
    if (v === undefined) throw new Error(`${run.dir}/scores.json: ${run.name} has no score for test row id ${id} (scored on other rows)`);
    return v;
  });
}

/** Rows and comparisons of the demo on one test sample. */
export function demoSummary(ds: Dataset, sample: InteractionSplit, runs: readonly DemoRun[], opts: { seed?: number; nResamples?: number } = {}): { rows: DemoRow[]; comparisons: RunComparison[] } {
  const sub: Dataset = { ...ds, splits: { ...ds.splits, test: sample } };
  const scores = new Map(runs.map((r) => [r.name, onSample(r, sample)]));
  const rows = runs.map((r): DemoRow => {
    const e = evaluateSplit(sub, 'test', scores.get(r.name)!);
    const wc = e.warmCold.cora;
    return { method: r.name, test: { auc: e.auc, uauc: e.uauc, uaucUsers: e.uaucUsers }, warm: { auc: wc.warm.auc, n: wc.warm.n }, cold: { auc: wc.cold.auc, n: wc.cold.n }, rows: sample.label.length, trainableParameters: r.trainableParameters, wallSeconds: r.wallSeconds };
  });
  const cr = comparisonRows(sub, 'test', 'cora');
  const comparisons = DEMO_PAIRS.filter(([a, b]) => scores.has(a) && scores.has(b)).flatMap(([a, b]) =>
    compareRuns({ name: a, rowId: sample.rowId, logit: scores.get(a)! }, { name: b, rowId: sample.rowId, logit: scores.get(b)! }, cr, { seed: opts.seed ?? 0, nResamples: opts.nResamples ?? 1000 }));
  return { rows, comparisons };
}
