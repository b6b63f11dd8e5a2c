// loadRecRun on tiny finished runs (TALLRec, CoLLM with its stage 1 trained in the run, CoRA) on the
// synthetic-tiny world with a small random LLM: the rebuilt method scores the run's valid rows as its
// scores.json says (1e-5), its trained parameters are the loaded ones, and dispose frees everything.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { readJson } from '../../src/core/io';
import { encodePrompts } from '../../src/rec/encode';
import { scoreRows } from '../../src/rec/train';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import { loadRecRun } from '../../src/runner/load-rec-run';
import { makeRecExperiment } from '../../src/runner/rec-config';
import { runRecExperiment } from '../../src/runner/rec-experiment';
import { tinySetting } from '../rec/helpers';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  ({ dir } = tinySetting());
  await runCFExperiment(makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 0, backend: 'wasm', train: { lr: 1e-2, maxEpochs: 3, patience: 3 }, modelOptions: { dEmb: 16 } }),
    { outDir: path.join(dir, 'cf') });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function runAndLoad(method: 'tallrec' | 'collm' | 'cora'): Promise<void> {
  const outDir = path.join(dir, `run-${method}`);
  const exp = makeRecExperiment({
    dataset: 'synthetic-tiny', method, llmDir: dir, cf: method === 'tallrec' ? null : { model: 'mf', runDir: path.join(dir, 'cf') }, backend: 'wasm', seed: 2,
    options: method === 'cora' ? { rank: 4, alpha: 8 } : { lora: { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'] } },
    train: { lr: 1e-2, warmupSteps: 0, batchSize: 4, itersPerEpoch: 3, maxEpochs: 1, evalBatchSize: 8 }, validRows: 12, testRows: 8,
  });
  await runRecExperiment(exp, { outDir });
  const saved = readJson<{ valid: { rowId: number[]; logit: number[] } }>(path.join(outDir, 'scores.json'));
  const before = tf.memory().numTensors;
  const run = await loadRecRun(outDir);
  expect(run.config).toEqual(exp);
  expect(Array.from(run.validSplit.rowId)).toEqual(saved.valid.rowId);
  const rows = [0, 3, 4, 9];
  const got = await scoreRows(run.method, encodePrompts(run.method.promptKind, run.dataset, run.validSplit, run.tokenizer), run.validSplit, run.padId, 3, rows);
  rows.forEach((r, k) => expect(Math.abs(got[k]! - saved.valid.logit[r]!), `row ${r}`).toBeLessThan(1e-5));
  expect(run.cora === null).toBe(method !== 'cora');
  expect(run.lora === null).toBe(method === 'cora');
  // the trained updates are the loaded ones, not the zero initialisation
  const zeroInit = method === 'cora' ? Object.values(run.cora!.perSample.params) : Object.entries(run.lora!.params).filter(([k]) => k.includes('lora_B')).map(([, v]) => v);
  expect(Math.max(...zeroInit.map((v) => tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]!)))).toBeGreaterThan(0);
  run.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

describe('loadRecRun', () => {
  it('rebuilds TALLRec', () => runAndLoad('tallrec'), 180_000);
  it('rebuilds CoLLM with the stage-1 LoRA trained in the run', () => runAndLoad('collm'), 180_000);
  it('rebuilds CoRA', () => runAndLoad('cora'), 180_000);
  it('names what is missing', async () => {
    await expect(loadRecRun(path.join(dir, 'nowhere'))).rejects.toThrow(/no config\.json/);
  });
});
