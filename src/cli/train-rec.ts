// Command: train and evaluate one registered LLM recommender (base, tallrec, collm, cora, ...); writes
// config, checkpoints, per-row scores and result.json into its run folder, and resumes there.
// Reference: docs/methods.md §4-7.
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { projectRoot } from '../core/paths';
import { CF_KINDS } from '../cf/registry';
import type { CFKind } from '../cf/types';
import { DATASET_NAMES, parseDatasetName } from '../data/load';
import { readJson } from '../core/io';
import { projectPath } from '../core/paths';
import { recMethodNames } from '../runner/methods';
import { makeRecExperiment, recRunTag } from '../runner/rec-config';
import { runRecExperiment } from '../runner/rec-experiment';
import { intFlag, jsonObjectFlag, MAX_SEED, numberFlag, parseFlags, runMain } from './args';
import { assertOutsideInputs, recInputs } from './outputs';

/** CF models an LLM method can read: the baselines and BinLLM's code model. */
const CF_BACKBONES: readonly CFKind[] = [...CF_KINDS, 'hash-mf'];

runMain(async () => {
  const methods = recMethodNames().join(' | ');
  const f = parseFlags('train-rec', `train one LLM recommender (${methods}) and write results`, {
    method: { type: 'string', help: methods, default: 'tallrec' },
    dataset: { type: 'string', help: DATASET_NAMES.join(' | '), default: 'synthetic' },
    cf: { type: 'string', help: `CF backbone of methods that read one: ${CF_BACKBONES.join(' | ')} (default mf, binllm: hash-mf; or the kind of --cf-run)` },
    'cf-run': { type: 'string', help: 'finished CF run folder to take the backbone from (else trained in the run folder)' },
    'stage1-run': { type: 'string', help: 'finished run of the method\'s stage 1 (CoLLM: a TALLRec run with the same LoRA) (else trained in the run folder)' },
    options: { type: 'string', help: 'method options as JSON, e.g. \'{"variant":"T1"}\' (collm), \'{"preset":"official"}\' (cora) or \'{"form":"ipv4"}\' (binllm)' },
    variant: { type: 'string', help: 'shorthand for options.variant (collm: stage2 | T1 | T2 | T3)' },
    preset: { type: 'string', help: 'shorthand for options.preset (cora: official | kit)' },
    rank: { type: 'int', help: 'shorthand for options.rank (cora; alpha keeps the preset\'s alpha/r)', min: 1 },
    alpha: { type: 'number', help: 'shorthand for options.alpha (cora)' },
    llm: { type: 'string', help: 'LLM folder (default models/kit-lm or $CFLLM_MODEL_DIR)' },
    seed: { type: 'int', help: 'random seed', default: '0', min: 0, max: MAX_SEED },
    epochs: { type: 'int', help: 'max epochs (hard cap)', min: 1 },
    iters: { type: 'int', help: 'iterations per epoch', min: 1 },
    patience: { type: 'int', help: 'early-stopping patience (epochs)', min: 1 },
    lr: { type: 'number', help: 'peak learning rate' },
    batch: { type: 'int', help: 'batch size', min: 1 },
    'micro-batch': { type: 'string', help: 'rows per forward/backward pass, gradients accumulated to the batch: auto (fits the memory ceiling) | N', default: 'auto' },
    'eval-batch': { type: 'int', help: 'rows per scoring pass (default 32)', min: 1 },
    'warmup-steps': { type: 'int', help: 'warm-up steps (at most 10% of epochs x iters)', min: 0 },
    warmup: { type: 'string', help: 'global | per-epoch (the official CoLLM scheduler)' },
    'test-rows': { type: 'int', help: 'evaluate on at most this many test rows (0 = all)', default: '0', min: 0 },
    'valid-rows': { type: 'int', help: 'validate on at most this many valid_small rows (0 = all)', default: '0', min: 0 },
    'data-dir': { type: 'string', help: 'data folder (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'run folder (default results/runs/<dataset>-<method>[-<tag>][-<cf>]-s<seed>)' },
    fresh: { type: 'boolean', help: 'start the run folder over (ignore its checkpoints and finished result)', default: false },
  });
  const method = f['method'] as string, dataset = parseDatasetName(f['dataset'] as string, '--dataset');
  const train: Record<string, number | string> = {};
  for (const [key, flag] of [['maxEpochs', 'epochs'], ['itersPerEpoch', 'iters'], ['patience', 'patience'], ['lr', 'lr'], ['batchSize', 'batch'], ['warmupSteps', 'warmup-steps']] as const) {
    const v = flag === 'lr' ? numberFlag(f, flag) : intFlag(f, flag);
    if (v !== undefined) train[key] = v;
  }
  if (f['warmup'] !== undefined) train['warmup'] = f['warmup'] as string;
  const micro = f['micro-batch'] as string;
  if (micro !== 'auto') {
    if (!/^[1-9][0-9]*$/.test(micro)) throw new Error(`--micro-batch: expected auto or a positive integer, got "${micro}"`);
    train['microBatch'] = Number(micro);
  }
  const evalBatch = intFlag(f, 'eval-batch');
  if (evalBatch !== undefined) train['evalBatchSize'] = evalBatch;
  const options: Record<string, unknown> = jsonObjectFlag(f, 'options') ?? {};
  for (const [key, v] of [['variant', f['variant']], ['preset', f['preset']], ['rank', intFlag(f, 'rank')], ['alpha', numberFlag(f, 'alpha')]] as const) {
    if (v === undefined) continue;
    if (key in options) throw new Error(`--${key} and --options both set ${key}; give it once`);
    options[key] = v;
  }
  const cfRun = f['cf-run'] as string | undefined;
  let cfKind = f['cf'] as CFKind | undefined;
  if (cfRun !== undefined && cfKind === undefined) {
    const cfg = path.join(projectPath(cfRun), 'config.json');
    cfKind = (readJson<{ experiment?: { model?: CFKind } }>(cfg).experiment?.model) ?? undefined;
    if (!cfKind) throw new Error(`--cf-run ${cfRun}: ${cfg} names no CF model; pass --cf`);
  }
  if (cfKind !== undefined && !CF_BACKBONES.includes(cfKind)) throw new Error(`--cf: "${cfKind}" is not one of ${CF_BACKBONES.join(', ')}`);
  const seed = intFlag(f, 'seed')!;
  const exp = makeRecExperiment({
    dataset, method, seed, train, options, dataDir: (f['data-dir'] as string | undefined) ?? null, llmDir: (f['llm'] as string | undefined) ?? null,
    cf: cfKind === undefined ? null : { model: cfKind, runDir: cfRun ?? null },
    stage1RunDir: (f['stage1-run'] as string | undefined) ?? null,
    testRows: intFlag(f, 'test-rows')!, validRows: intFlag(f, 'valid-rows')!,
    backend: parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'),
  });
  const outDir = (f['out'] as string | undefined) ?? path.join(projectRoot(), 'results', 'runs', `${dataset}-${recRunTag(exp)}-s${seed}`);
  assertOutsideInputs('--out', outDir, recInputs(f));
  const r = await runRecExperiment(exp, { outDir, resume: !f['fresh'], onProgress: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(`result: ${path.join(outDir, 'result.json')}\ntest AUC ${r.test.auc?.toFixed(4)} [${r.test.aucCi?.lo.toFixed(4)}, ${r.test.aucCi?.hi.toFixed(4)}] UAUC ${r.test.uauc?.toFixed(4)} (${r.test.uaucUsers} users); scoring ${r.scoringSamplesPerSecond.toFixed(1)} samples/s\n`);
});
