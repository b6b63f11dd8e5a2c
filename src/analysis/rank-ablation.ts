// The rank ablation (notebook 6): CoRA at several ranks r and the LoRA rank of TALLRec and CoLLM, each
// a tagged suite run ("r<r>") with alpha = 2r, and finished runs turned into plain records (test AUC and
// UAUC with bootstrap CIs, trainable parameters, wall seconds) for tables and figures.
// Reference: issue "notebooks" item 6; LoRA (Hu et al. 2022) §4 (updates scaled by alpha / r).
import { finishedResult } from '../core/run-meta';
import { storedPath } from '../core/paths';
import { coraPreset } from '../cora/method';
import { TALLREC_LORA } from '../rec/text-methods';
import type { LowRankConfig } from '../llm/low-rank';
import type { RecTrainConfig } from '../rec/train';
import type { RecRunResult } from '../runner/rec-experiment';
import type { Scale } from '../runner/scale';
import { suiteBudget, suiteRec, suiteRunDir, suiteRunName, type SuiteOptions, type SuiteRecExtra, type SuiteRun } from '../runner/suite';

/** The methods whose rank the ablation varies: CoRA's r, and the LoRA r of TALLRec and CoLLM (its stage 1). */
export type RankMethod = 'cora' | 'tallrec' | 'collm';

/** alpha / r of every ablation run: the defaults' ratio (r=8, alpha=16 in TALLREC_LORA and CoRA's kit preset), so the update scale stays 2 at every rank. */
export const RANK_ALPHA_RATIO = 2;

/** Display names of the ablation's methods. */
export const RANK_METHOD_LABELS: Readonly<Record<string, string>> = Object.freeze({ cora: 'CoRA', tallrec: 'TALLRec', collm: 'CoLLM' });

/** The CF backbone of CoRA and CoLLM in the ablation. */
export const RANK_CF = 'mf' as const;

/** Per-run budget of ablation runs, over the scale's suite budget (`train` merges over its recTrain). */
export interface RankBudget {
  readonly train?: Partial<RecTrainConfig>;
  /** Test rows scored (seeded sample; 0 = all); absent = the scale's. */
  readonly testRows?: number;
  /** Validation rows (seeded sample); absent = the scale's. */
  readonly validRows?: number;
}

/** Run-name tag of an ablation run at rank r, e.g. "r4". */
export function rankTag(rank: number): string {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`rankTag: rank must be a positive integer (got ${rank})`);
  return `r${rank}`;
}

/** The CF backbone of a method in the ablation (null for TALLRec). */
export function rankCf(method: RankMethod): typeof RANK_CF | null {
  return method === 'tallrec' ? null : RANK_CF;
}

/** The suite settings of one ablation run: rank r, alpha = RANK_ALPHA_RATIO * r, the budget, and for CoLLM the TALLRec run of the same rank as stage 1. */
export function rankAblationExtra(scale: Scale, method: RankMethod, rank: number, seed: number, budget: RankBudget = {}, opts: Pick<SuiteOptions, 'runsRoot'> = {}): SuiteRecExtra {
  const tag = rankTag(rank), alpha = RANK_ALPHA_RATIO * rank;
  // TALLRec's and CoLLM's LoRA at rank r: the scale's adapter (its targets, dropout) with r and alpha changed
  const lora = (suiteBudget(scale).recOptions['tallrec']?.['lora'] as LowRankConfig | undefined) ?? TALLREC_LORA;
  const options = method === 'cora' ? { rank, alpha } : { lora: { ...lora, r: rank, alpha } };
  const stage1 = method === 'collm' ? { stage1RunDir: storedPath(suiteRunDir(scale, suiteRunName('tallrec', null, seed, tag), opts)) } : {};
  const given = Object.fromEntries(Object.entries(budget).filter(([, v]) => v !== undefined)) as RankBudget;
  return { config: { options, ...stage1, ...given }, tag };
}

/** A finished ablation run; CoLLM's carries its stage-1 TALLRec result. */
export interface RankRun extends SuiteRun<RecRunResult> {
  readonly stage1?: RecRunResult;
}

/** Trains (or resumes, or reuses when finished) one ablation run; CoLLM first gets the TALLRec run of the same rank. */
export async function suiteRankRun(scale: Scale, method: RankMethod, rank: number, seed: number, budget: RankBudget = {}, opts: SuiteOptions = {}): Promise<RankRun> {
  const stage1 = method === 'collm' ? (await suiteRankRun(scale, 'tallrec', rank, seed, budget, opts)).result : undefined;
  const run = await suiteRec(scale, method, rankCf(method), seed, { ...opts, extra: rankAblationExtra(scale, method, rank, seed, budget, opts) });
  return stage1 ? { ...run, stage1 } : run;
}

/** The runs of a plan, seed by seed, methods in the ranks' key order, ranks as given. */
export function rankAblationPlan(ranks: Readonly<Partial<Record<RankMethod, readonly number[]>>>, seeds: readonly number[]): { method: RankMethod; rank: number; seed: number }[] {
  const methods = Object.keys(ranks) as RankMethod[];
  return seeds.flatMap((seed) => methods.flatMap((method) => (ranks[method] ?? []).map((rank) => ({ method, rank, seed }))));
}

/** The finished plain (untagged) suite runs of the three methods at a scale and seeds, CoLLM with its TALLRec stage; reads only, never trains (e.g. the ML-1M table's r=8 runs at `paper`). */
export function finishedSuiteRankRuns(scale: Scale, seeds: readonly number[], opts: Pick<SuiteOptions, 'runsRoot'> = {}): RankRun[] {
  const out: RankRun[] = [];
  for (const seed of seeds) {
    for (const method of ['cora', 'tallrec', 'collm'] as const) {
      const dir = suiteRunDir(scale, suiteRunName(method, rankCf(method), seed), opts);
      const result = finishedResult<RecRunResult>(dir);
      if (!result) continue;
      const stage1 = method === 'collm' ? finishedResult<RecRunResult>(suiteRunDir(scale, suiteRunName('tallrec', null, seed), opts)) : null;
      out.push(stage1 ? { dir, result, stage1 } : { dir, result });
    }
  }
  return out;
}

/** The rank of a run: CoRA's options.rank (default: its preset's), else its LoRA r. */
export function runRank(result: RecRunResult): number {
  const o = result.config.options;
  if (result.config.method === 'cora') return typeof o['rank'] === 'number' ? o['rank'] : coraPreset('kit', result.config.cf?.model ?? null).rank;
  return (o['lora'] as LowRankConfig | undefined)?.r ?? TALLREC_LORA.r;
}

/** One run of the ablation as a plain record. */
export type RankRecord = {
  /** 'cora' | 'tallrec' | 'collm' (the experiment's method). */
  readonly method: string;
  /** Display name (CoRA, TALLRec, CoLLM). */
  readonly label: string;
  readonly rank: number;
  /** log2(rank), the figures' x. */
  readonly log2Rank: number;
  readonly seed: number;
  /** Test AUC and its 95% bootstrap interval (null where undefined, e.g. one label class). */
  readonly auc: number | null;
  readonly aucLo: number | null;
  readonly aucHi: number | null;
  /** Test UAUC and its 95% bootstrap interval. */
  readonly uauc: number | null;
  readonly uaucLo: number | null;
  readonly uaucHi: number | null;
  /** Trainable parameters; CoLLM counts both stages (its stage-1 LoRA plus the mapping). */
  readonly params: number;
  /** Wall seconds to get this model (training + scoring); CoLLM counts both stages. */
  readonly seconds: number;
  /** Wall seconds of this run alone (CoLLM: stage 2 only). */
  readonly runSeconds: number;
  /** Test rows scored. */
  readonly testRows: number;
};

/** Plain records of finished runs, ordered by method (CoRA, TALLRec, CoLLM, others), rank, seed; CoLLM adds `stage1` where given. */
export function rankAblationRecords(runs: readonly { readonly result: RecRunResult; readonly stage1?: RecRunResult | null }[]): RankRecord[] {
  const order = ['cora', 'tallrec', 'collm'];
  const key = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
  const recs = runs.map(({ result: r, stage1 }): RankRecord => {
    const s1 = stage1 ?? null, t = r.test, rank = runRank(r);
    return {
      method: r.config.method, label: RANK_METHOD_LABELS[r.config.method] ?? r.config.method, rank, log2Rank: Math.log2(rank), seed: r.seed,
      auc: t.auc, aucLo: t.aucCi?.lo ?? null, aucHi: t.aucCi?.hi ?? null,
      uauc: t.uauc, uaucLo: t.uaucCi?.lo ?? null, uaucHi: t.uaucCi?.hi ?? null,
      params: r.trainableParameters + (s1 ? s1.trainableParameters : 0),
      seconds: r.meta.wallSeconds + (s1 ? s1.meta.wallSeconds : 0), runSeconds: r.meta.wallSeconds, testRows: t.n,
    };
  });
  return recs.sort((a, b) => key(a.method) - key(b.method) || a.method.localeCompare(b.method) || a.rank - b.rank || a.seed - b.seed);
}

/** Expected wall seconds of an ablation plan from measured records: per method, (number of ranks) x (seeds) x (mean runSeconds of its records). */
export function rankAblationCost(records: readonly RankRecord[], ranks: Readonly<Partial<Record<RankMethod, readonly number[]>>>, nSeeds: number): { method: RankMethod; runs: number; secondsPerRun: number; seconds: number }[] {
  return (Object.entries(ranks) as [RankMethod, readonly number[]][]).map(([method, rs]) => {
    const own = records.filter((r) => r.method === method);
    if (own.length === 0) throw new Error(`rankAblationCost: no measured run of ${method} to estimate from`);
    const secondsPerRun = own.reduce((a, r) => a + r.runSeconds, 0) / own.length;
    return { method, runs: rs.length * nSeeds, secondsPerRun, seconds: rs.length * nSeeds * secondsPerRun };
  });
}

/** One point of the AUC-vs-rank figure: a method's test AUC or UAUC at a rank with its CI. */
export type RankMetricPoint = {
  /** Legend entry, e.g. "CoRA UAUC". */
  readonly series: string;
  readonly method: string;
  readonly metric: 'AUC' | 'UAUC';
  readonly rank: number;
  /** log2(rank) shifted by the series' dodge offset, so that the CIs of different series do not overlap. */
  readonly x: number;
  readonly value: number;
  readonly lo: number | null;
  readonly hi: number | null;
};

/** AUC and UAUC points of records (null metrics left out); series in order of first appearance (method, then AUC before UAUC, for rankAblationRecords' order); series k of K sits at log2Rank + (k - (K-1)/2) * dodge. */
export function rankMetricPoints(records: readonly RankRecord[], dodge = 0.06): RankMetricPoint[] {
  const raw = records.flatMap((r) => {
    const p = (metric: 'AUC' | 'UAUC', value: number | null, lo: number | null, hi: number | null) =>
      (value === null ? [] : [{ series: `${r.label} ${metric}`, method: r.method, metric, rank: r.rank, log2Rank: r.log2Rank, value, lo, hi }]);
    return [...p('AUC', r.auc, r.aucLo, r.aucHi), ...p('UAUC', r.uauc, r.uaucLo, r.uaucHi)];
  });
  const names = [...new Set(raw.map((q) => q.series))];
  const centre = (names.length - 1) / 2;
  return names.flatMap((name, k) => raw.filter((q) => q.series === name).map(({ log2Rank, ...q }) => ({ ...q, x: log2Rank + (k - centre) * dodge })));
}

/**
 * What the AUC side of an ablation resolves, one line per method (first seed): the ranks whose 95% interval
 * lies above chance, those whose interval contains 0.5, and the pairs of ranks whose intervals are disjoint
 * (a conservative check of a difference). Runs without an interval are left out.
 */
export function describeRankAuc(records: readonly RankRecord[]): string[] {
  const seed = records.length ? Math.min(...records.map((r) => r.seed)) : 0;
  const byLabel = new Map<string, RankRecord[]>();
  for (const r of records) {
    if (r.seed !== seed || r.aucLo === null || r.aucHi === null) continue;
    if (!byLabel.has(r.label)) byLabel.set(r.label, []);
    byLabel.get(r.label)!.push(r);
  }
  const list = (rs: readonly RankRecord[]) => (rs.length ? rs.map((r) => r.rank).join(', ') : 'none');
  return [...byLabel].map(([label, rs]) => {
    const above = rs.filter((r) => r.aucLo! > 0.5), chance = rs.filter((r) => r.aucLo! <= 0.5 && r.aucHi! >= 0.5), below = rs.filter((r) => r.aucHi! < 0.5);
    const disjoint: string[] = [];
    rs.forEach((a, i) => rs.slice(i + 1).forEach((b) => { if (a.aucHi! < b.aucLo! || b.aucHi! < a.aucLo!) disjoint.push(`r ${a.rank} vs ${b.rank}`); }));
    return `${label} (seed ${seed}, ${rs.length} ranks): AUC interval above chance at r = ${list(above)}; containing 0.5 at r = ${list(chance)}`
      + `${below.length ? `; below chance at r = ${list(below)}` : ''}; disjoint intervals between ranks: ${disjoint.length ? disjoint.join(', ') : 'none'}`;
  });
}
