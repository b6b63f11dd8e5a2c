// Command: the kit's demo on the embedded synthetic world with its shipped model (no downloads): trains
// the content baseline and MF, then the base LLM, TALLRec, CoLLM-MF and CoRA-MF on the `default` budget,
// prints every row on the same test rows (overall, warm, cold) with paired user-bootstrap comparisons,
// and writes results/demo.json. Reference: docs/methods.md §1-7.
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { writeJsonAtomic } from '../core/io';
import { projectRoot, resolveModelDir, storedPath } from '../core/paths';
import { startRun } from '../core/run-meta';
import { datasetContentOf } from '../data/dataset-files';
import { loadDataset } from '../data/load';
import { demoSummary, type DemoRun } from '../analysis/demo-summary';
import { recRunSplits } from '../runner/rec-config';
import { SUITE_BUDGETS, suiteCF, suiteRec } from '../runner/suite';
import { intFlag, MAX_SEED, parseFlags, runMain } from './args';

runMain(async () => {
  const f = parseFlags('demo', 'content baseline, MF, base LLM, TALLRec, CoLLM-MF and CoRA-MF on the embedded synthetic world with the shipped model', {
    seed: { type: 'int', help: 'random seed', default: '0', min: 0, max: MAX_SEED },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'root of the run folders (default: the notebooks\' results/notebooks, so notebooks at default scale reuse the demo\'s runs)' },
    'cf-only': { type: 'boolean', help: 'stop after the CF rows', default: false },
  });
  const seed = intFlag(f, 'seed')!;
  const backendChoice = parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), f['backend'] ? '--backend' : '$CFLLM_BACKEND');
  const root = projectRoot();
  const outRoot = f['out'] ? path.resolve(root, f['out'] as string) : path.join(root, 'results', 'notebooks');
  const say = (l: string) => process.stdout.write(l + '\n');
  const backend = await initBackend(backendChoice);
  const budget = SUITE_BUDGETS.default;
  const ds = loadDataset(budget.dataset);
  const run = startRun({ seed, backend, projectRoot: root, dataset: datasetContentOf(ds), llmDir: resolveModelDir() });
  const opts = { runsRoot: outRoot, backend: backendChoice, onProgress: say, dataset: ds };
  const quiet = { ...opts, onProgress: (l: string) => { if (!/ epoch \d+:/.test(l) || /epoch \d*0:/.test(l)) say(l); } };
  const runs: DemoRun[] = [];
  for (const [model, name] of [['content', 'content baseline'], ['mf', 'MF']] as const) {
    say(`\n== ${name} ==`);
    const r = await suiteCF('default', model, seed, quiet);
    runs.push({ name, dir: r.dir, trainableParameters: null, wallSeconds: r.result.meta.wallSeconds });
  }
  const llmDir = resolveModelDir();
  say(`\nLLM: ${storedPath(llmDir)} (its model card: ${storedPath(path.join(llmDir, 'README.md'))})`);
  if (!f['cf-only']) {
    for (const [method, cf, name] of [['base', null, 'base LLM'], ['tallrec', null, 'TALLRec'], ['collm', 'mf', 'CoLLM-MF'], ['cora', 'mf', 'CoRA-MF']] as const) {
      say(`\n== ${name} ==`);
      const r = await suiteRec('default', method, cf, seed, opts);
      runs.push({ name, dir: r.dir, trainableParameters: r.result.trainableParameters, wallSeconds: r.result.meta.wallSeconds });
    }
  }
  const sample = recRunSplits(ds, { validRows: budget.validRows, testRows: budget.testRows, seed }).test;
  const { rows, comparisons } = demoSummary(ds, sample, runs, { seed });
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '  n/a ' : x.toFixed(4));
  say(`\nevery row on the same ${sample.label.length} test rows (seeded sample; warm/cold = not_cold, ${rows[0]!.warm.n} warm / ${rows[0]!.cold.n} cold)`);
  say('method              test AUC  test UAUC  users  warm AUC  cold AUC  trained params  wall s');
  for (const r of rows) say(`${r.method.padEnd(19)} ${fmt(r.test.auc)}    ${fmt(r.test.uauc)}     ${String(r.test.uaucUsers).padStart(4)}  ${fmt(r.warm.auc)}    ${fmt(r.cold.auc)}    ${String(r.trainableParameters ?? '—').padStart(14)}  ${r.wallSeconds.toFixed(0)}`);
  say('\npaired comparisons (a − b, AUC; 95% user-bootstrap CI and p):');
  for (const c of comparisons.filter((x) => x.metric === 'auc')) {
    say(`  ${`${c.a} − ${c.b}`.padEnd(32)} ${c.subset.padEnd(4)}  ${c.diff === null ? 'n/a' : `${c.diff >= 0 ? '+' : ''}${c.diff.toFixed(4)}`}  [${c.ci ? `${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}` : 'n/a'}]  p ${c.pUserBootstrap === null ? 'n/a' : c.pUserBootstrap.toFixed(3)}`);
  }
  const file = path.join(root, 'results', 'demo.json');
  writeJsonAtomic(file, {
    rows, comparisons,
    meta: { ...run.finish(), dataset: budget.dataset, seed, llm: storedPath(llmDir), budget, testRows: sample.label.length, runs: runs.map((r) => ({ name: r.name, dir: storedPath(r.dir) })) },
  });
  say(`\nwrote ${storedPath(file)}; runs in ${storedPath(path.join(outRoot, 'default'))}/`);
  if (!fs.existsSync(outRoot)) throw new Error(`demo: nothing written to ${outRoot}`);
});
