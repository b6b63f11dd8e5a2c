// Command: the ML-1M headline table. Plans every run (CF rows, content baseline, LLM methods on each CF
// backbone, the knowledge ablation on the plain LLM) x seeds, shows its status and remaining time, runs
// it (two processes use both cores: each claims the next run whose dependencies have finished), and builds
// results/ml1m-table.json and the README table from the finished runs' committed JSON.
// Reference: docs/methods.md §7-8; src/runner/ml1m-plan.ts; src/analysis/ml1m-table.ts.
import * as fs from 'fs';
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { projectPath, projectRoot, storedPath } from '../core/paths';
import { CF_KINDS } from '../cf/registry';
import type { CFKind } from '../cf/types';
import { makeLoraOptions } from '../rec/text-methods';
import { loadDataset } from '../data/load';
import { runCFExperiment } from '../runner/cf-experiment';
import { heldByOther, releaseClaim, tryClaim } from '../core/claims';
import { checkNoOtherExperiments, ML1M_TABLE, ml1mPlan, nextStep, plannedRunDir, plannedRunStatus, selectRuns, type PlannedRun } from '../runner/ml1m-plan';
import { runRecExperiment } from '../runner/rec-experiment';
import { writeMl1mTable } from '../analysis/ml1m-table';
import { intFlag, intListFlag, jsonObjectFlag, MAX_SEED, numberFlag, parseFlags, runMain } from './args';

/** Seconds a run of a row takes when no finished run of that row exists yet (measured on a 2-core CPU, README tables). */
const PRIOR_SECONDS: Readonly<Record<string, number>> = { content: 120, mf: 120, lightgcn: 180, sasrec: 3200, din: 310, rec: 3000 };

function list(f: Record<string, string | boolean | undefined>, flag: string, known: readonly string[]): string[] {
  const xs = String(f[flag]).split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const x of xs) if (!known.includes(x)) throw new Error(`--${flag}: "${x}" is not one of ${known.join(', ')}`);
  return xs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runMain(async () => {
  const f = parseFlags('ml1m-table', 'the ML-1M headline table: plan, run a worker\'s share, build results/ml1m-table.json and the README table', {
    llm: { type: 'string', help: 'LLM of the LLM rows: the collm-ml1m-adapted kit model folder (npm run ml1m-table-llm makes the default)', default: ML1M_TABLE.llmDir },
    'plain-llm': { type: 'string', help: 'LLM of the knowledge-ablation rows', default: ML1M_TABLE.plainLlmDir },
    'no-ablation': { type: 'boolean', help: 'leave out the knowledge ablation (TALLRec, CoLLM-MF, CoRA-MF on the plain LLM)', default: false },
    seeds: { type: 'string', help: 'comma-separated seeds', default: '0,1,2' },
    backbones: { type: 'string', help: 'CF backbones of CoLLM and CoRA', default: 'mf,lightgcn,sasrec' },
    'cf-rows': { type: 'string', help: 'CF rows of the table', default: 'content,mf,lightgcn,sasrec,din' },
    'cora-preset': { type: 'string', help: 'official | kit (CoRA\'s ranks, dropouts and generator)', default: ML1M_TABLE.coraPreset },
    lora: { type: 'string', help: `LoRA of TALLRec, CoLLM and BinLLM as JSON over TALLRec's (r 8 on q_proj, v_proj), or "tallrec" for TALLRec's own (default ${JSON.stringify(ML1M_TABLE.lora)})` },
    epochs: { type: 'int', help: 'hard cap on epochs per LLM run (early stopping on valid AUC ends most runs earlier)', default: String(ML1M_TABLE.train.maxEpochs), min: 1 },
    iters: { type: 'int', help: 'iterations per epoch (batch 16)', default: String(ML1M_TABLE.train.itersPerEpoch), min: 1 },
    patience: { type: 'int', help: 'epochs without a better valid AUC before stopping', default: String(ML1M_TABLE.train.patience), min: 1 },
    'warmup-steps': { type: 'int', help: 'warm-up steps (<= 10% of epochs x iters)', default: String(ML1M_TABLE.train.warmupSteps), min: 0 },
    'valid-rows': { type: 'int', help: 'valid_small rows for model selection (0 = all 5,200)', default: String(ML1M_TABLE.validRows), min: 0 },
    'test-rows': { type: 'int', help: 'test rows (0 = all 7,331)', default: String(ML1M_TABLE.testRows), min: 0 },
    runs: { type: 'string', help: 'only these runs, by stem (e.g. tallrec,tallrec-plain,base): part of the table first; default all' },
    'max-minutes': { type: 'number', help: 'start no run expected to end later than this many minutes after the command started (estimates as in --plan), so a session ends between runs', min: 1 },
    plan: { type: 'boolean', help: 'print the plan with each run\'s status and the time left, then stop', default: false },
    'table-only': { type: 'boolean', help: 'build results/ml1m-table.json and the README table from finished runs, then stop', default: false },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    'data-dir': { type: 'string', help: 'data folder holding collm-ml1m/ (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
  });
  const root = projectRoot();
  const say = (l: string) => process.stdout.write(l + '\n');
  const onlyTable = f['table-only'] === true;
  const llmDir = projectPath(String(f['llm']));
  if (!fs.existsSync(path.join(llmDir, 'config.json'))) {
    throw new Error(`--llm ${llmDir}: no config.json (not a model folder)${f['llm'] === ML1M_TABLE.llmDir ? '; make the table\'s LLM with npm run ml1m-table-llm (about 3 h on one core), or name another collm-ml1m-adapted model' : ''}`);
  }
  const plainLlmDir = f['no-ablation'] ? null : projectPath(String(f['plain-llm']));
  if (plainLlmDir && !fs.existsSync(path.join(plainLlmDir, 'config.json'))) throw new Error(`--plain-llm ${plainLlmDir}: no config.json (not a model folder)`);
  const preset = String(f['cora-preset']);
  if (preset !== 'official' && preset !== 'kit') throw new Error(`--cora-preset: "${preset}" is not one of official, kit`);
  const lora = f['lora'] === undefined ? ML1M_TABLE.lora : f['lora'] === 'tallrec' ? null : makeLoraOptions(jsonObjectFlag(f, 'lora'), '--lora');
  const plan = ml1mPlan({
    seeds: intListFlag(f, 'seeds', { min: 0, max: MAX_SEED }), llmDir, plainLlmDir,
    lora, backbones: list(f, 'backbones', CF_KINDS) as CFKind[], cfRows: list(f, 'cf-rows', [...CF_KINDS, 'content']) as CFKind[], coraPreset: preset,
    train: { maxEpochs: intFlag(f, 'epochs')!, itersPerEpoch: intFlag(f, 'iters')!, patience: intFlag(f, 'patience')!, warmupSteps: intFlag(f, 'warmup-steps')! },
    validRows: intFlag(f, 'valid-rows')!, testRows: intFlag(f, 'test-rows')!,
    backend: parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'), dataDir: (f['data-dir'] as string | undefined) ?? null,
  });
  const runsFlag = f['runs'] as string | undefined;
  const selected = runsFlag === undefined ? plan : selectRuns(plan, runsFlag.split(',').map((x) => x.trim()).filter((x) => x !== ''), (r) => plannedRunStatus(r, root).state === 'finished');
  if (selected.length === 0) throw new Error('--runs: no run selected');
  // a process claims the run it works on (results/runs/<name>.claim, git-ignored), so several share the plan
  const claimFile = (r: PlannedRun) => path.join(root, 'results', 'runs', `${r.name}.claim`);
  const status = new Map(plan.map((r) => [r.name, plannedRunStatus(r, root)]));
  const meanOfRow = (row: string): number | null => {
    const xs = plan.filter((r) => r.row === row).map((r) => status.get(r.name)!.wallSeconds).filter((x): x is number => x !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const estimate = (r: PlannedRun): number => meanOfRow(r.row) ?? PRIOR_SECONDS[r.kind === 'cf' ? r.cf!.model : 'rec'] ?? 1800;
  const left = (rs: readonly PlannedRun[]) => rs.filter((r) => status.get(r.name)!.state !== 'finished').reduce((a, r) => a + estimate(r), 0);
  say(`plan: ${plan.length} runs (${plan.filter((r) => status.get(r.name)!.state === 'finished').length} finished); about ${(left(plan) / 3600).toFixed(1)} h of run time left${runsFlag === undefined ? '' : `, ${(left(selected) / 3600).toFixed(1)} h in the selected runs`}`);
  if (f['plan']) {
    for (const r of plan) {
      const s = status.get(r.name)!;
      say(`  ${(s.state !== 'finished' && heldByOther(claimFile(r)) ? 'running' : s.state).padEnd(8)} ${r.name.padEnd(40)} ${r.row.padEnd(28)} ${s.wallSeconds === null ? `~${(estimate(r) / 60).toFixed(0)} min (estimate)` : `${(s.wallSeconds / 60).toFixed(1)} min`}`);
    }
    if (plan.some((r) => status.get(r.name)!.state === 'other')) say('runs marked "other" hold a different experiment than this plan\'s: the table neither counts nor resumes them (move them away to keep them)');
    return;
  }
  if (!onlyTable) {
    checkNoOtherExperiments([...selected, ...selected.flatMap((r) => r.dependsOn.map((d) => plan.find((x) => x.name === d)!))], root);
    const ds = loadDataset('collm-ml1m', { dataDir: (f['data-dir'] as string | undefined) ?? undefined });
    const maxMinutes = numberFlag(f, 'max-minutes');
    const startedAt = Date.now();
    const state = {
      finished: (r: PlannedRun) => plannedRunStatus(r, root).state === 'finished',
      heldByOther: (r: PlannedRun) => heldByOther(claimFile(r)),
      // whether a run, started now, is expected to end inside --max-minutes
      fits: (r: PlannedRun) => maxMinutes === undefined || (Date.now() - startedAt) / 1000 + estimate(r) <= maxMinutes * 60,
    };
    let lastNote = 0;
    for (;;) {
      const step = nextStep(plan, selected, state);
      if (step.kind === 'done') {
        if (step.notStarted.length) say(`not started, expected to end after --max-minutes ${maxMinutes}: ${step.notStarted.join(', ')} (the next call runs them)`);
        break;
      }
      if (step.kind === 'wait') {
        if (Date.now() - lastNote >= 600_000) {
          say(step.blocked.length ? `waiting for runs another process holds: ${step.blocked.slice(0, 3).map((b) => `${b.run} needs ${b.on.join(', ')}`).join('; ')}` : 'waiting for the runs another process holds to finish');
          lastNote = Date.now();
        }
        await sleep(30_000);
        continue;
      }
      const r = step.run;
      if (!tryClaim(claimFile(r))) continue;
      try {
        say(`== ${r.name} (${r.row}, seed ${r.seed}) ==`);
        const dir = plannedRunDir(r.name, root);
        if (r.kind === 'cf') await runCFExperiment(r.cf!, { outDir: dir, datasetOverride: ds, onProgress: (l) => { if (!/ epoch \d+:/.test(l) || /epoch \d*0:/.test(l)) say(l); } });
        else await runRecExperiment(r.rec!, { outDir: dir, datasetOverride: ds, onProgress: say });
      } finally {
        releaseClaim(claimFile(r));
      }
      say(`finished ${r.name}; commit its JSON: git add ${storedPath(plannedRunDir(r.name, root))}/{config,result,scores,provenance}.json`);
      status.set(r.name, plannedRunStatus(r, root));
      lastNote = 0;
    }
  }
  const written = writeMl1mTable(root, plan);
  say(`wrote ${written.join(', ')}`);
});
