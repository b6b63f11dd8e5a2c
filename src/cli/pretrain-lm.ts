// Command: pretrain the kit's default language model (or any size) from scratch; resumable (run it
// again after a kill or a --max-minutes stop); on completion writes a Hugging Face folder to --out.
// Reference: nanoGPT train.py; docs/methods.md §11 (the kit's small LLM).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import { startRun } from '../core/run-meta';
import { saveHfModel } from '../llm/hf-save';
import { disposeLlama } from '../llm/weights';
import { makePretrainConfig, PRETRAIN_DEFAULTS, runPretrain, type PretrainConfig } from '../lm/pretrain';
import { assertFolderOrAbsent, assertOutsideInputs, assertPlainName } from './outputs';
import { intFlag, MAX_SEED, numberFlag, parseFlags, runMain, type FlagSpec } from './args';

/** PretrainConfig fields given as decimals; every other numeric flag is an integer. */
const PRETRAIN_DECIMAL_FLAGS: ReadonlySet<string> = new Set(['peakLr', 'minLr', 'factsShare']);

runMain(async () => {
  const flags: Record<string, FlagSpec> = {
    name: { type: 'string', help: 'model name: writes models/<name>/ when finished', default: 'kit-lm' },
    corpus: { type: 'string', help: 'corpus folder with train.txt.gz / valid.txt.gz (else $CFLLM_CORPUS_DIR, ../shared/corpora/gutenberg)' },
    work: { type: 'string', help: 'work folder for tokenizer, token caches and checkpoints (default checkpoints/pretrain-<name>)' },
    'max-minutes': { type: 'number', help: 'stop (resumably) after this many minutes of this call', min: 0 },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
  };
  for (const k of ['dModel', 'nLayers', 'nHeads', 'nKvHeads', 'ffn', 'seqLen', 'batchSize', 'steps', 'peakLr', 'minLr', 'warmupSteps', 'vocabSize', 'factsShare', 'factsRepeats', 'seed'] as const) {
    flags[k] = { type: PRETRAIN_DECIMAL_FLAGS.has(k) ? 'number' : 'int', help: `PretrainConfig.${k}`, default: String(PRETRAIN_DEFAULTS[k]), ...(k === 'seed' ? { min: 0, max: MAX_SEED } : {}) };
  }
  const f = parseFlags('pretrain-lm', 'pretrain a LLaMA-architecture model on Gutenberg + the facts corpus (resumable)', flags);
  const root = projectRoot();
  const name = String(f['name']);
  assertPlainName('--name', name);
  const corpusDir = path.resolve((f['corpus'] as string | undefined) ?? readEnv('CFLLM_CORPUS_DIR') ?? path.join(root, '..', 'shared', 'corpora', 'gutenberg'));
  const over: Record<string, number> = {};
  for (const k of Object.keys(PRETRAIN_DEFAULTS)) if (k !== 'corpusDir' && f[k] !== undefined) over[k] = PRETRAIN_DECIMAL_FLAGS.has(k) ? numberFlag(f, k)! : intFlag(f, k)!;
  // stored relative to the project root so saved configs carry no machine paths
  const cfg: PretrainConfig = makePretrainConfig({ ...over, corpusDir: path.relative(root, corpusDir) });
  const backend = await initBackend(parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'));
  const work = path.resolve((f['work'] as string | undefined) ?? path.join(root, 'checkpoints', `pretrain-${name}`));
  assertOutsideInputs('--work', work, [{ flag: '--corpus', dir: corpusDir }]);
  assertFolderOrAbsent('--work', work);
  const out = path.join(root, 'models', name);
  const doneFile = path.join(out, 'training.json');
  if (fs.existsSync(doneFile)) {
    const done = readJson<{ config?: unknown; state?: { step?: number } }>(doneFile);
    if (JSON.stringify(done.config) === JSON.stringify(cfg) && done.state?.step === cfg.steps) {
      process.stdout.write(`${path.relative(root, out)}/ already holds this finished pretraining (training.json); left as it is (delete that folder to train again)\n`);
      return;
    }
  }
  // provenance at start (commit, code and corpus hashes); wall time kept in the work folder across resumed calls
  const corpusFiles = ['train.txt.gz', 'valid.txt.gz'].map((n) => path.join(corpusDir, n));
  const run = startRun({ seed: cfg.seed, backend, projectRoot: root, runDir: work, dataset: { kind: 'files', dir: corpusDir, files: corpusFiles } });
  const maxMinutes = numberFlag(f, 'max-minutes');
  const r = await runPretrain(cfg, work, {
    ...(maxMinutes !== undefined ? { maxSeconds: maxMinutes * 60 } : {}), onProgress: (l) => process.stdout.write(l + '\n'), onCheckpoint: () => run.checkpoint(),
  });
  if (r.finished) {
    saveHfModel(r.model, out, { tokenizerDir: r.tokenizer.dir, metadata: { source: 'cf-llm-kit pretrain-lm' } });
    writeJsonAtomic(path.join(out, 'training.json'), { config: cfg, state: r.state, meta: run.finish(), trainingSeconds: r.state.seconds });
    process.stdout.write(`wrote ${path.relative(root, out)}/ (run \`npm run lm-card -- --model ${path.relative(root, out)}\` for its model card)\n`);
  }
  disposeLlama(r.model);
  tf.disposeVariables();
});
