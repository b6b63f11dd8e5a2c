// Command: the kit's demo on the embedded synthetic world with the shipped model (no downloads): trains
// MF, then TALLRec, CoLLM-MF and CoRA-MF on small budgets, and prints AUC / UAUC overall and on warm and
// cold rows side by side. Reference: docs/methods.md §1-7.
import * as fs from 'fs';
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { projectRoot, resolveModelDir } from '../core/paths';
import type { RecRunResult } from '../runner/rec-experiment';
import { suiteBudget, suiteCF, suiteRec } from '../runner/suite';
import { formatRunTable } from '../runner/tables';
import { intFlag, MAX_SEED, parseFlags, runMain } from './args';

runMain(async () => {
  const f = parseFlags('demo', 'MF -> TALLRec -> CoLLM -> CoRA on the embedded synthetic world with the shipped model', {
    seed: { type: 'int', help: 'random seed', default: '0', min: 0, max: MAX_SEED },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'root of the run folders (default: the notebooks\' results/notebooks, so notebooks at default scale reuse the demo\'s runs)' },
    'cf-only': { type: 'boolean', help: 'stop after the CF baseline', default: false },
  });
  const seed = intFlag(f, 'seed')!;
  const backend = parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), f['backend'] ? '--backend' : '$CFLLM_BACKEND');
  const root = projectRoot();
  const outRoot = f['out'] ? path.resolve(root, f['out'] as string) : path.join(root, 'results', 'notebooks');
  const say = (l: string) => process.stdout.write(l + '\n');
  // the `default` scale of the notebook suite: MF with a higher learning rate than CoLLM's ML-1M setting
  // (~15k train rows reach their best valid AUC in ~30 epochs), LLM runs of 3 epochs x 25 iterations of
  // batch 16, 300 valid / 1,000 test rows: a few minutes each on a laptop CPU
  const opts = { runsRoot: outRoot, backend, onProgress: say };
  const runsShown = path.relative(root, path.join(outRoot, 'default'));
  const mf = (await suiteCF('default', 'mf', seed, { ...opts, onProgress: (l: string) => { if (!/ epoch \d+:/.test(l) || /epoch \d*0:/.test(l)) say(l); } })).result;
  say('\n' + formatRunTable([mf]) + '\n');
  if (f['cf-only']) return;
  const llmDir = resolveModelDir();
  say(`LLM: ${path.relative(root, llmDir)} (its model card: ${path.relative(root, path.join(llmDir, 'README.md'))})`);
  const runs: RecRunResult[] = [];
  for (const [method, cf] of [['base', null], ['tallrec', null], ['collm', 'mf'], ['cora', 'mf']] as const) {
    say(`\n== ${method} ==`);
    runs.push((await suiteRec('default', method, cf, seed, opts)).result);
  }
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '  n/a ' : x.toFixed(4));
  say('\nmethod        test AUC [95% CI]           test UAUC  users  warm AUC  cold AUC  trained params  s');
  say(`MF            ${fmt(mf.test.auc)}                     ${fmt(mf.test.uauc)}     ${String(mf.test.uaucUsers).padStart(4)}  ${fmt(mf.test.warmCold.cora.warm.auc)}    ${fmt(mf.test.warmCold.cora.cold.auc)}    (full test split)`);
  for (const r of runs) {
    const name = r.method + (r.cf ? `-${r.cf}` : '');
    say(`${name.padEnd(13)} ${fmt(r.test.auc)} [${fmt(r.test.aucCi?.lo)}, ${fmt(r.test.aucCi?.hi)}]  ${fmt(r.test.uauc)}     ${String(r.test.uaucUsers).padStart(4)}  ${fmt(r.test.warmCold.cora.warm.auc)}    ${fmt(r.test.warmCold.cora.cold.auc)}    ${String(r.trainableParameters).padStart(14)}  ${r.meta.wallSeconds.toFixed(0)}`);
  }
  say(`\nLLM methods are scored on a seeded sample of ${suiteBudget('default').testRows} test rows; warm/cold = CoRA's not_cold definition. Runs: ${runsShown}/`);
  if (!fs.existsSync(outRoot)) throw new Error(`demo: nothing written to ${outRoot}`);
});
