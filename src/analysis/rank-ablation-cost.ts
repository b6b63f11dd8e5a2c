// What the paper-scale rank ablation (notebook 6) still needs: the runs missing per method, their
// expected hours from measured wall times, and the command that trains them headless and resumably.
// Reference: src/analysis/rank-ablation.ts (rankAblationCost); scripts/run-notebooks.js (the command).
import { rankAblationCost, type RankMethod, type RankRecord } from './rank-ablation';

/** The estimate of the missing runs. */
export interface RankAblationEstimate {
  /** Per method: runs, measured seconds per run, total seconds (rounded to whole seconds). */
  readonly rows: { method: RankMethod; runs: number; secondsPerRun: number; seconds: number }[];
  readonly runs: number;
  readonly hours: number;
  /** Shell command (from the project root) that trains them by executing notebook 6 headless at paper scale. */
  readonly command: string;
}

/** Estimates the missing ranks' runs from `records` (measured runs) and builds the command; the notebook's per-cell timeout is twice the estimate, in whole hours. */
export function rankAblationEstimate(records: readonly RankRecord[], ranks: Readonly<Partial<Record<RankMethod, readonly number[]>>>, nSeeds: number): RankAblationEstimate {
  const rows = rankAblationCost(records, ranks, nSeeds).map((r) => ({ ...r, secondsPerRun: Math.round(r.secondsPerRun), seconds: Math.round(r.seconds) }));
  const seconds = rows.reduce((a, r) => a + r.seconds, 0);
  const hours = seconds / 3600;
  const timeout = Math.max(1, Math.ceil(hours * 2)) * 3600;
  const command = `CFLLM_RANK_ABLATION=run node scripts/run-notebooks.js --only 06 --scale paper --in-place --timeout ${timeout}`;
  return { rows, runs: rows.reduce((a, r) => a + r.runs, 0), hours, command };
}

/** The estimate in words, with the command and where the runs land. */
export function describeRankAblationEstimate(e: RankAblationEstimate): string {
  return `the paper-scale rank ablation needs ${e.runs} more ML-1M runs, about ${e.hours.toFixed(1)} h on this machine (r = 8 wall times; larger ranks take longer).\n` +
    `To train them: ${e.command}\n(or set launch: true in the config cell). Runs land in results/runs/collm-ml1m-<method>[-mf]-r<r>-s<seed> and resume if interrupted.`;
}
