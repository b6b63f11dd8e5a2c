// The plan of the ML-1M headline table: every run (CF rows, the content baseline, the LLM methods on each
// CF backbone, the knowledge ablation on the plain LLM) × seeds, as named run folders with their
// experiment configs and dependencies, so that the table can be run in pieces, by two processes, over
// several sessions, and its status and remaining time shown at any point.
// Reference: docs/methods.md §3-8 (protocol and rows); issue "The ML-1M headline table".
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from '../core/io';
import { projectRoot, storedPath } from '../core/paths';
import type { BackendChoice } from '../core/types';
import type { CFKind } from '../cf/types';
import type { LowRankConfig } from '../llm/low-rank';
import type { RecTrainConfig } from '../rec/train';
import { makeCFExperiment, sameExperiment, type CFExperimentConfig } from './cf-experiment';
import { recMethodNames } from './methods';
import { makeRecExperiment, type RecExperimentConfig } from './rec-config';

/** The seven projections of a LLaMA block, the wide LoRA's targets. */
const ALL_PROJECTIONS = Object.freeze(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const);

/**
 * The table's settings: the ml1m-table command's defaults and the notebooks' `paper` scale, so that both
 * name the same runs. The LLM is the collm-ml1m-adapted kit model (npm run ml1m-table-llm makes it);
 * TALLRec, CoLLM and BinLLM use the wide LoRA the kit model needs on ML-1M (r 16 on all seven
 * projections), and every LLM run trains up to 40 epochs of 50 steps with patience 10 (docs/methods.md §4, §8).
 */
export const ML1M_TABLE = Object.freeze({
  llmDir: path.join('checkpoints', 'models', 'kit-lm-collm-ml1m-p4'),
  plainLlmDir: path.join('models', 'kit-lm'),
  train: Object.freeze({ maxEpochs: 40, itersPerEpoch: 50, patience: 10, warmupSteps: 50 }),
  validRows: 2000,
  testRows: 0,
  lora: Object.freeze({ r: 16, alpha: 32, dropout: 0.05, targets: ALL_PROJECTIONS }) as LowRankConfig,
  coraPreset: 'kit' as const,
});

/** The options of a method in the table (over its defaults): the LoRA for TALLRec and the methods that start from it, CoRA's preset. */
export function ml1mTableOptions(method: string, lora: LowRankConfig | null, coraPreset: 'official' | 'kit'): Record<string, unknown> {
  if (method === 'cora') return { preset: coraPreset };
  return lora && ['tallrec', 'collm', 'binllm'].includes(method) ? { lora } : {};
}

/** What the table runs. */
export interface Ml1mPlanOptions {
  /** Seeds of every row. */
  readonly seeds: readonly number[];
  /** The LLM of the LLM rows (the collm-ml1m-adapted kit model). */
  readonly llmDir: string;
  /** The plain LLM of the knowledge ablation (TALLRec, CoLLM-MF, CoRA-MF again on it); null = no ablation. */
  readonly plainLlmDir: string | null;
  /** CF backbones of CoLLM and CoRA. */
  readonly backbones: readonly CFKind[];
  /** CF rows of the table (CoLLM's Table II baselines, plus the content baseline). */
  readonly cfRows: readonly CFKind[];
  /** CoRA's preset. */
  readonly coraPreset: 'official' | 'kit';
  /** Training budget of every LLM run (over REC_TRAIN_DEFAULTS). */
  readonly train: Readonly<Partial<RecTrainConfig>>;
  /** Validation rows for model selection (seeded sample of valid_small; 0 = all). */
  readonly validRows: number;
  /** Test rows (0 = all 7,331). */
  readonly testRows: number;
  /** Compute backend of every run (required; 'auto' picks tfjs-node, else wasm, else cpu). */
  readonly backend: BackendChoice;
  /** LoRA of TALLRec and of the methods that start from it (CoLLM, BinLLM); null = TALLRec's own (r=8 on q, v). */
  readonly lora: LowRankConfig | null;
  /** Data folder override (null = default resolution). */
  readonly dataDir: string | null;
}

/** One run of the plan. */
export interface PlannedRun {
  /** Folder name under results/runs, e.g. "collm-ml1m-cora-mf-s0". */
  readonly name: string;
  /** Row of the table it belongs to, e.g. "CoRA-MF" or "TALLRec (plain LLM)". */
  readonly row: string;
  readonly seed: number;
  readonly kind: 'cf' | 'rec';
  readonly cf: CFExperimentConfig | null;
  readonly rec: RecExperimentConfig | null;
  /** Names of runs that must finish first (CF backbones, stage-1 runs). */
  readonly dependsOn: readonly string[];
}

/** Labels of CF models in tables. */
export const CF_LABELS: Readonly<Record<string, string>> = Object.freeze({ mf: 'MF', lightgcn: 'LightGCN', sasrec: 'SASRec', din: 'DIN', content: 'content baseline', 'hash-mf': 'Hash-MF (BinLLM codes)' });

/** The folder of a planned run. */
export function plannedRunDir(name: string, root = projectRoot()): string {
  return path.join(root, 'results', 'runs', name);
}

/** Every run of the table, dependencies first within each seed. */
export function ml1mPlan(o: Ml1mPlanOptions): PlannedRun[] {
  const out: PlannedRun[] = [];
  const dataset = 'collm-ml1m' as const;
  const cfName = (m: CFKind, seed: number) => `collm-ml1m-${m}-s${seed}`;
  const llmRun = (name: string, row: string, seed: number, cfg: Partial<RecExperimentConfig>, deps: string[]): PlannedRun => ({
    name, row, seed, kind: 'rec', cf: null, dependsOn: deps,
    rec: makeRecExperiment({ dataset, dataDir: o.dataDir, seed, backend: o.backend, train: o.train, validRows: o.validRows, testRows: o.testRows, ...cfg }),
  });
  for (const seed of o.seeds) {
    // BinLLM reads its own code model (hash-mf), trained like the other CF runs
    const cfs = [...new Set([...o.cfRows, ...o.backbones, ...(recMethodNames().includes('binllm') ? ['hash-mf' as const] : [])])];
    for (const m of cfs) out.push({ name: cfName(m, seed), row: CF_LABELS[m] ?? m, seed, kind: 'cf', rec: null, dependsOn: [], cf: makeCFExperiment({ dataset, dataDir: o.dataDir, model: m, seed, backend: o.backend }) });
    const llms: { dir: string; suffix: string; label: string; backbones: readonly CFKind[]; methods: readonly string[] }[] = [
      { dir: o.llmDir, suffix: '', label: '', backbones: o.backbones, methods: recMethodNames().filter((n) => ['base', 'tallrec', 'collm', 'cora', 'binllm'].includes(n)) },
    ];
    if (o.plainLlmDir) llms.push({ dir: o.plainLlmDir, suffix: '-plain', label: ' (plain LLM)', backbones: o.backbones.includes('mf') ? ['mf'] : o.backbones.slice(0, 1), methods: ['tallrec', 'collm', 'cora'] });
    for (const l of llms) {
      const llmDir = storedPath(l.dir);
      const tallrec = `collm-ml1m-tallrec${l.suffix}-s${seed}`;
      for (const method of l.methods) {
        const options = ml1mTableOptions(method, o.lora, o.coraPreset);
        if (method === 'base' || method === 'tallrec') {
          out.push(llmRun(`collm-ml1m-${method}${l.suffix}-s${seed}`, `${method === 'base' ? 'base LLM' : 'TALLRec'}${l.label}`, seed, { method, llmDir, options }, []));
          continue;
        }
        const backbones = method === 'binllm' ? (['hash-mf'] as const) : l.backbones;
        for (const m of backbones) {
          const cf = { model: m, runDir: storedPath(plannedRunDir(cfName(m, seed))) };
          const label = method === 'binllm' ? `BinLLM${l.label}` : `${method === 'collm' ? 'CoLLM' : 'CoRA'}-${CF_LABELS[m]}${l.label}`;
          const stage1 = method === 'cora' ? {} : { stage1RunDir: storedPath(plannedRunDir(tallrec)) };
          out.push(llmRun(`collm-ml1m-${method}-${m}${l.suffix}-s${seed}`, label, seed, { method, llmDir, cf, options, ...stage1 }, [cfName(m, seed), ...(method === 'cora' ? [] : [tallrec])]));
        }
      }
    }
  }
  const names = new Set(out.map((r) => r.name));
  for (const r of out) for (const d of r.dependsOn) if (!names.has(d)) throw new Error(`ml1mPlan: ${r.name} depends on ${d}, which is not in the plan`);
  return out;
}

/** Whether a stored config (result.json's config, or config.json's) is the planned run's experiment. */
function holdsPlanned(r: PlannedRun, stored: unknown): boolean {
  return stored !== undefined && sameExperiment(stored, r.kind === 'cf' ? r.cf : r.rec);
}

/**
 * Status of a planned run from its folder: finished (result.json), started (config.json only), todo, or
 * other: the folder holds a different experiment (another LLM, budget or preset than the plan's), which
 * the table must neither count nor resume.
 */
export function plannedRunStatus(r: PlannedRun, root = projectRoot()): { state: 'finished' | 'started' | 'todo' | 'other'; wallSeconds: number | null } {
  const dir = plannedRunDir(r.name, root);
  const res = path.join(dir, 'result.json'), cfg = path.join(dir, 'config.json');
  if (fs.existsSync(res)) {
    const done = readJson<{ config?: unknown; meta?: { wallSeconds?: number } }>(res);
    return holdsPlanned(r, done.config) ? { state: 'finished', wallSeconds: done.meta?.wallSeconds ?? null } : { state: 'other', wallSeconds: null };
  }
  if (!fs.existsSync(cfg)) return { state: 'todo', wallSeconds: null };
  const stored = readJson<{ experiment?: unknown }>(cfg);
  return { state: holdsPlanned(r, r.kind === 'cf' ? stored.experiment : stored) ? 'started' : 'other', wallSeconds: null };
}

/** Refuses a set of runs when any folder holds another experiment, naming each folder and what to do. */
export function checkNoOtherExperiments(runs: readonly PlannedRun[], root = projectRoot()): void {
  const other = runs.filter((r) => plannedRunStatus(r, root).state === 'other').map((r) => storedPath(plannedRunDir(r.name, root)));
  if (other.length) {
    throw new Error(`${other.length} run folder(s) hold a different experiment than the plan's (another LLM, budget or preset): ${other.join(', ')}; `
      + 'move them away to keep them, or plan with the settings they were run with');
  }
}

/** Short name of a planned run: its folder name without the dataset prefix and seed ("cora-mf-plain"). */
export function runStem(name: string): string {
  const m = /^collm-ml1m-(.+)-s\d+$/.exec(name);
  if (!m) throw new Error(`runStem: "${name}" is not a table run name (collm-ml1m-<stem>-s<seed>)`);
  return m[1]!;
}

/**
 * The runs whose stem is one of `stems` (e.g. ["tallrec", "tallrec-plain"]), for running part of the
 * table first. Refused before any work: an unknown stem (the message lists the known ones) and a selected
 * run whose dependency is neither selected nor finished (`isFinished`), which would wait forever.
 */
export function selectRuns(plan: readonly PlannedRun[], stems: readonly string[], isFinished: (r: PlannedRun) => boolean): PlannedRun[] {
  const known = [...new Set(plan.map((r) => runStem(r.name)))];
  for (const s of stems) if (!known.includes(s)) throw new Error(`--runs: "${s}" is not a run of the plan; known: ${known.join(', ')}`);
  const picked = plan.filter((r) => stems.includes(runStem(r.name)));
  const names = new Set(picked.map((r) => r.name));
  for (const r of picked) {
    for (const d of r.dependsOn) {
      const dep = plan.find((x) => x.name === d)!;
      if (!names.has(d) && !isFinished(dep)) throw new Error(`--runs: ${r.name} needs ${d}, which is neither selected nor finished; add "${runStem(d)}" to --runs`);
    }
  }
  return picked;
}

/** What a process sharing the table should do next: run `run`, wait (runs are left, none can start now), or stop. */
export type NextStep =
  | { readonly kind: 'run'; readonly run: PlannedRun }
  | { readonly kind: 'wait'; readonly blocked: readonly { readonly run: string; readonly on: readonly string[] }[] }
  | { readonly kind: 'done'; readonly notStarted: readonly string[] };

/** What the scheduler needs to know of each run, as of now. */
export interface RunState {
  /** The run has a finished result. */
  readonly finished: (r: PlannedRun) => boolean;
  /** Another live process holds the run. */
  readonly heldByOther: (r: PlannedRun) => boolean;
  /** The run, started now, is expected to end inside the time budget. */
  readonly fits: (r: PlannedRun) => boolean;
}

/**
 * The next step of one of several processes sharing `runs` (the plan, or the part --runs selects): the
 * first run in plan order that is unfinished, held by no other process, has every dependency finished and
 * fits the time budget. When none can start now but some could later (a dependency or another process's
 * run may still finish), wait; when none can ever start in this call, stop, naming the runs that do not fit.
 * A run whose dependency does not fit (and is not already running elsewhere) does not fit either.
 */
export function nextStep(plan: readonly PlannedRun[], runs: readonly PlannedRun[], s: RunState): NextStep {
  const byName = new Map(plan.map((r) => [r.name, r]));
  const open = runs.filter((r) => !s.finished(r));
  // runs that can still finish in this call: fitting, or held by another process (which is running them)
  const reachable = new Map<string, boolean>();
  const canFinish = (r: PlannedRun): boolean => {
    const known = reachable.get(r.name);
    if (known !== undefined) return known;
    const ok = s.finished(r) || s.heldByOther(r) || (s.fits(r) && r.dependsOn.every((d) => canFinish(byName.get(d)!)));
    reachable.set(r.name, ok);
    return ok;
  };
  for (const r of open) {
    if (!s.heldByOther(r) && s.fits(r) && r.dependsOn.every((d) => s.finished(byName.get(d)!))) return { kind: 'run', run: r };
  }
  const waiting = open.filter((r) => !s.heldByOther(r) && canFinish(r));
  if (waiting.length) return { kind: 'wait', blocked: waiting.map((r) => ({ run: r.name, on: r.dependsOn.filter((d) => !s.finished(byName.get(d)!)) })) };
  if (open.some((r) => s.heldByOther(r))) return { kind: 'wait', blocked: [] };
  return { kind: 'done', notStarted: open.map((r) => r.name) };
}
