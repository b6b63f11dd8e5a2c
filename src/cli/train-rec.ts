// Command: train and evaluate one LLM recommender (base, tallrec, collm, cora) on a dataset; writes
// config, checkpoints, per-row scores and result.json into its run folder, and resumes there.
// Reference: docs/methods.md §4-7.
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { projectRoot } from '../core/paths';
import { CF_KINDS } from '../cf/registry';
import type { CFKind } from '../cf/types';
import { parseDatasetName } from '../data/load';
import { makeRecExperiment, runRecExperiment, type RecMethodName } from '../runner/rec-experiment';
import { intFlag, MAX_SEED, numberFlag, parseFlags, runMain } from './args';
import { assertOutsideInputs, recInputs } from './outputs';

runMain(async () => {
  const f = parseFlags('train-rec', 'train one LLM recommender (base | tallrec | collm | cora) and write results', {
    method: { type: 'string', help: 'base | tallrec | collm | cora', default: 'tallrec' },
    dataset: { type: 'string', help: 'synthetic | synthetic-tiny | collm-ml1m | ml-1m | ml-100k', default: 'synthetic' },
    cf: { type: 'string', help: `CF backbone for collm/cora: ${CF_KINDS.join(' | ')}`, default: 'mf' },
    'cf-run': { type: 'string', help: 'finished CF run folder to take the backbone from (else trained in the run folder)' },
    'tallrec-run': { type: 'string', help: 'finished TALLRec run folder for CoLLM stage 1 (else trained in the run folder)' },
    variant: { type: 'string', help: 'CoLLM variant: stage2 | T1 | T2 | T3', default: 'stage2' },
    llm: { type: 'string', help: 'LLM folder (default models/kit-lm or $CFLLM_MODEL_DIR)' },
    rank: { type: 'int', help: 'CoRA rank r (alpha = 2r)', min: 1 },
    seed: { type: 'int', help: 'random seed', default: '0', min: 0, max: MAX_SEED },
    epochs: { type: 'int', help: 'max epochs', min: 1 },
    iters: { type: 'int', help: 'iterations per epoch', min: 1 },
    patience: { type: 'int', help: 'early-stopping patience (epochs)', min: 1 },
    lr: { type: 'number', help: 'peak learning rate' },
    batch: { type: 'int', help: 'batch size', min: 1 },
    'test-rows': { type: 'int', help: 'evaluate on at most this many test rows (0 = all)', default: '0', min: 0 },
    'valid-rows': { type: 'int', help: 'validate on at most this many valid_small rows (0 = all)', default: '0', min: 0 },
    'data-dir': { type: 'string', help: 'data folder (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'run folder (default results/runs/<dataset>-<method>[-<cf>]-s<seed>)' },
    fresh: { type: 'boolean', help: 'ignore checkpoints in the run folder', default: false },
  });
  const method = f['method'] as RecMethodName, dataset = parseDatasetName(f['dataset'] as string, '--dataset');
  const cfKind = f['cf'] as CFKind;
  const train: Record<string, number> = {};
  for (const [key, flag] of [['maxEpochs', 'epochs'], ['itersPerEpoch', 'iters'], ['patience', 'patience'], ['lr', 'lr'], ['batchSize', 'batch']] as const) {
    const v = flag === 'lr' ? numberFlag(f, flag) : intFlag(f, flag);
    if (v !== undefined) train[key] = v;
  }
  const rank = intFlag(f, 'rank');
  const seed = intFlag(f, 'seed')!;
  const exp = makeRecExperiment({
    dataset, method, seed, train, dataDir: (f['data-dir'] as string | undefined) ?? null, llmDir: (f['llm'] as string | undefined) ?? null,
    cf: { model: cfKind, runDir: (f['cf-run'] as string | undefined) ?? null },
    collm: { variant: f['variant'] as 'stage2', tallrecRunDir: (f['tallrec-run'] as string | undefined) ?? null },
    cora: rank !== undefined ? { rank, alpha: 2 * rank } : {},
    testRows: intFlag(f, 'test-rows')!, validRows: intFlag(f, 'valid-rows')!,
    backend: parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'),
  });
  const tag = method === 'collm' || method === 'cora' ? `${method}-${cfKind}` : method;
  const outDir = (f['out'] as string | undefined) ?? path.join(projectRoot(), 'results', 'runs', `${dataset}-${tag}-s${seed}`);
  assertOutsideInputs('--out', outDir, recInputs(f));
  const r = await runRecExperiment(exp, { outDir, resume: !f['fresh'], onProgress: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(`result: ${path.join(outDir, 'result.json')}\ntest AUC ${r.test.auc?.toFixed(4)} [${r.test.aucCi?.lo.toFixed(4)}, ${r.test.aucCi?.hi.toFixed(4)}] UAUC ${r.test.uauc?.toFixed(4)} (${r.test.uaucUsers} users); scoring ${r.scoringSamplesPerSecond.toFixed(1)} samples/s\n`);
});
