// Command: train and evaluate one CF model on one dataset; writes config, checkpoints, per-row
// scores and result.json into its run folder, and resumes there after a kill.
// Reference: docs/methods.md §3.
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { projectRoot } from '../core/paths';
import { makeCFExperiment, runCFExperiment } from '../runner/cf-experiment';
import type { CFKind } from '../cf/types';
import { DATASET_NAMES, parseDatasetName } from '../data/load';
import { intFlag, MAX_SEED, numberFlag, parseFlags, runMain } from './args';
import { assertOutsideInputs, dataInputs } from './outputs';

/** Flags read as integers (the rest of the numeric flags are decimals). */
const INT_FLAGS = new Set(['epochs', 'patience', 'batch', 'dim', 'max-history']);

runMain(async () => {
  const f = parseFlags('train-cf', 'train one CF model (mf, lightgcn, sasrec, din) and write results', {
    model: { type: 'string', help: 'mf | lightgcn | sasrec | din | content (genres, year and history genre profile; no ids)', default: 'mf' },
    dataset: { type: 'string', help: DATASET_NAMES.join(' | '), default: 'synthetic' },
    seed: { type: 'int', help: 'random seed', default: '0', min: 0, max: MAX_SEED },
    'data-dir': { type: 'string', help: 'data folder (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'run folder (default results/runs/<dataset>-<model>-s<seed>)' },
    fresh: { type: 'boolean', help: 'ignore an existing checkpoint in the run folder', default: false },
    epochs: { type: 'int', help: 'max epochs', min: 1 },
    patience: { type: 'int', help: 'early-stopping patience (epochs)', min: 1 },
    lr: { type: 'number', help: 'learning rate' },
    wd: { type: 'number', help: 'weight decay (coupled L2, as torch Adam)', min: 0 },
    batch: { type: 'int', help: 'batch size', min: 1 },
    dim: { type: 'int', help: 'embedding width dEmb', min: 1 },
    'init-std': { type: 'number', help: 'std of the N(0, std^2) embedding init' },
    'max-history': { type: 'int', help: 'history length read by sequence models', min: 0 },
    dropout: { type: 'number', help: 'dropout rate (sequence models)', min: 0, max: 0.99 },
  });
  const seed = intFlag(f, 'seed')!;
  const model = f['model'] as CFKind, dataset = parseDatasetName(f['dataset'] as string, '--dataset');
  const train: Record<string, number> = {};
  const put = (o: Record<string, number>, key: string, flag: string): void => {
    const v = INT_FLAGS.has(flag) ? intFlag(f, flag) : numberFlag(f, flag);
    if (v !== undefined) o[key] = v;
  };
  put(train, 'maxEpochs', 'epochs');
  put(train, 'patience', 'patience');
  put(train, 'lr', 'lr');
  put(train, 'weightDecay', 'wd');
  put(train, 'batchSize', 'batch');
  const modelOptions: Record<string, number> = {};
  put(modelOptions, 'dEmb', 'dim');
  put(modelOptions, 'initStd', 'init-std');
  put(modelOptions, 'maxHistory', 'max-history');
  put(modelOptions, 'dropout', 'dropout');
  const experiment = makeCFExperiment({
    dataset, model, seed, train, modelOptions,
    dataDir: (f['data-dir'] as string | undefined) ?? null,
    backend: parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), f['backend'] ? '--backend' : '$CFLLM_BACKEND'),
  });
  const outDir = (f['out'] as string | undefined) ?? path.join(projectRoot(), 'results', 'runs', `${dataset}-${model}-s${seed}`);
  assertOutsideInputs('--out', outDir, dataInputs(f['data-dir'] as string | undefined));
  const r = await runCFExperiment(experiment, { outDir, resume: !f['fresh'], onProgress: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(`result: ${path.join(outDir, 'result.json')}\n` +
    `valid AUC ${r.valid.auc?.toFixed(4)} UAUC ${r.valid.uauc?.toFixed(4)} (${r.valid.uaucUsers} users) | ` +
    `test AUC ${r.test.auc?.toFixed(4)} UAUC ${r.test.uauc?.toFixed(4)} (${r.test.uaucUsers} users)\n`);
});
