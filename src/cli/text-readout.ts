// Command: linear readouts of a frozen LLM's item and prompt states on a dataset (where the text channel
// loses the signal, before any LoRA); appends one record to results/text-readout.json.
// Reference: src/analysis/text-readout.ts; issue "The text channel".
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot, resolveModelDir, storedPath } from '../core/paths';
import { DATASET_NAMES, loadDataset, parseDatasetName } from '../data/load';
import { checkTextReadoutOptions, textReadout, TEXT_READOUT_DEFAULTS } from '../analysis/text-readout';
import type { TextReadoutRecord } from '../analysis/text-readout-table';
import { intFlag, MAX_SEED, numberFlag, parseFlags, runMain } from './args';

runMain(async () => {
  const f = parseFlags('text-readout', 'linear readouts of a frozen LLM\'s item and prompt states: how much of the label the LLM holds before any LoRA', {
    dataset: { type: 'string', help: DATASET_NAMES.join(' | '), default: 'synthetic' },
    llm: { type: 'string', help: 'LLM folder (default models/kit-lm or $CFLLM_MODEL_DIR)' },
    'train-rows': { type: 'int', help: 'train rows the readouts are fitted on (seeded sample)', default: String(TEXT_READOUT_DEFAULTS.trainRows), min: 10 },
    l2: { type: 'number', help: 'L2 penalty of the logistic readouts (on standardised states)', default: String(TEXT_READOUT_DEFAULTS.l2) },
    seed: { type: 'int', help: 'seed of the train-row sample', default: '0', min: 0, max: MAX_SEED },
    batch: { type: 'int', help: 'rows per forward pass', default: String(TEXT_READOUT_DEFAULTS.batchSize), min: 1 },
    'data-dir': { type: 'string', help: 'data folder (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
  });
  const root = projectRoot();
  const dataset = parseDatasetName(f['dataset'] as string, '--dataset');
  const llmDir = resolveModelDir(f['llm'] as string | undefined);
  const opts = {
    llmDir, trainRows: intFlag(f, 'train-rows')!, l2: numberFlag(f, 'l2')!, seed: intFlag(f, 'seed')!, batchSize: intFlag(f, 'batch')!,
    backend: parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'),
    onProgress: (line: string) => process.stdout.write(line + '\n'),
  };
  checkTextReadoutOptions(opts);
  const file = path.join(root, 'results', 'text-readout.json');
  const prev = fs.existsSync(file) ? readJson<{ records?: TextReadoutRecord[] }>(file).records : [];
  if (!Array.isArray(prev)) throw new Error(`${file}: no records array; move the file away to start a new one`);
  const ds = loadDataset(dataset, { dataDir: (f['data-dir'] as string | undefined) ?? undefined });
  const rec = await textReadout(ds, opts);
  writeJsonAtomic(file, {
    note: 'one record per (dataset, LLM) readout (npm run text-readout): logistic regression on frozen-LLM states, fitted on sampled train rows, test AUC; item = the target item\'s genre-cloze state, prompt = the end of TALLRec\'s prompt',
    records: [...prev, rec],
  });
  process.stdout.write(`appended to ${storedPath(file)} (${rec.meta.wallSeconds.toFixed(0)} s)\n`);
  tf.disposeVariables();
});
