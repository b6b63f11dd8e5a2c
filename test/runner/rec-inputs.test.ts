// Runs built on other runs are checked before any work or file is written: the CF run's kind, finished
// state and dataset; the stage-1 run's method, options, dataset and LLM; the method's options against the
// LLM and CF shapes; two-class evaluation rows. A finished run is returned, not overwritten; a folder of
// another experiment names the fix; a run that fails half-way leaks no tensor.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { readJson, writeJsonAtomic } from '../../src/core/io';
import { syntheticWorld } from '../../src/data/synthetic';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import { makeRecExperiment, type RecExperimentConfig } from '../../src/runner/rec-config';
import { runRecExperiment } from '../../src/runner/rec-experiment';
import { tinySetting } from '../rec/helpers';

let dir: string;
const TRAIN = { lr: 1e-2, warmupSteps: 0, batchSize: 4, itersPerEpoch: 2, maxEpochs: 1, patience: 1, evalBatchSize: 8 };
beforeAll(async () => {
  await initBackend('wasm');
  ({ dir } = tinySetting());
  await runCFExperiment(makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 0, backend: 'wasm', train: { lr: 1e-2, maxEpochs: 2, patience: 2 }, modelOptions: { dEmb: 16 } }), { outDir: path.join(dir, 'cf-mf') });
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const exp = (o: Partial<RecExperimentConfig>): RecExperimentConfig => makeRecExperiment({ dataset: 'synthetic-tiny', llmDir: dir, backend: 'wasm', seed: 0, train: TRAIN, validRows: 16, testRows: 12, ...o });

async function refused(e: RecExperimentConfig, pattern: RegExp): Promise<void> {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const before = tf.memory().numTensors;
  await expect(runRecExperiment(e, { outDir: out })).rejects.toThrow(pattern);
  expect(fs.existsSync(out), 'nothing is written for a refused run').toBe(false);
  expect(tf.memory().numTensors).toBe(before);
}

describe('runs built on other runs', () => {
  it('refuses a CF run of another kind, naming both and the fix', async () => {
    await refused(exp({ method: 'cora', cf: { model: 'lightgcn', runDir: path.join(dir, 'cf-mf') } }), /holds a mf model, but --cf is lightgcn; pass --cf mf/);
  });

  it('refuses an unfinished CF run and a folder that is not a run', async () => {
    const killed = path.join(dir, 'cf-killed');
    fs.mkdirSync(killed, { recursive: true });
    fs.copyFileSync(path.join(dir, 'cf-mf', 'config.json'), path.join(killed, 'config.json'));
    fs.copyFileSync(path.join(dir, 'cf-mf', 'best.safetensors'), path.join(killed, 'best.safetensors'));
    await refused(exp({ method: 'cora', cf: { model: 'mf', runDir: killed } }), /has not finished \(no result\.json\)/);
    await refused(exp({ method: 'cora', cf: { model: 'mf', runDir: path.join(dir, 'nowhere') } }), /no such folder/);
  });

  it('refuses a CF run of another dataset', async () => {
    const other = path.join(dir, 'cf-other');
    fs.cpSync(path.join(dir, 'cf-mf'), other, { recursive: true });
    const cfg = readJson<{ experiment: { dataset: string } }>(path.join(other, 'config.json'));
    writeJsonAtomic(path.join(other, 'config.json'), { ...cfg, experiment: { ...cfg.experiment, dataset: 'synthetic' } });
    await refused(exp({ method: 'cora', cf: { model: 'mf', runDir: other } }), /trained on synthetic, this run is on synthetic-tiny/);
  });

  it('checks CoRA\'s rank against the LLM before the CF backbone would train', async () => {
    // the tiny LLM has hidden size 32; the CF backbone is not trained, nothing is written
    await refused(exp({ method: 'cora', options: { rank: 64 } }), /cora options\.rank = 64 exceeds the LLM's hidden size 32/);
    await refused(exp({ method: 'cora', cf: { model: 'mf', runDir: path.join(dir, 'cf-mf') }, options: { generator: { nHeads: 5 } } }), /divisible by nHeads 5/);
  });

  it('checks a stage-1 run: finished, the planned method and options, the same dataset', async () => {
    const tal = path.join(dir, 'tallrec-r4');
    await runRecExperiment(exp({ method: 'tallrec', options: { lora: { r: 4, alpha: 8 } } }), { outDir: tal });
    const cf = { model: 'mf' as const, runDir: path.join(dir, 'cf-mf') };
    await refused(exp({ method: 'collm', cf, stage1RunDir: tal }), /its options .* differ from the stage 1 this run needs/);
    await refused(exp({ method: 'collm', cf, stage1RunDir: path.join(dir, 'cf-mf') }), /not an LLM-recommender run .*collm starts from a tallrec run/);
    const ok = await runRecExperiment(exp({ method: 'collm', cf, stage1RunDir: tal, options: { lora: { r: 4, alpha: 8 } } }), { outDir: path.join(dir, 'collm-ok') });
    expect(ok.stage1Training).toBeNull();
    expect(ok.config.stage1RunDir).toBe(tal);
  }, 180_000);

  it('refuses evaluation rows of one class, naming the split', async () => {
    const ds = syntheticWorld('tiny');
    const ones = { ...ds.splits.test, label: new Uint8Array(ds.splits.test.label.length).fill(1) };
    const e = exp({ method: 'base' });
    const out = path.join(dir, 'one-class');
    await expect(runRecExperiment(e, { outDir: out, datasetOverride: { ...ds, splits: { ...ds.splits, test: ones } } })).rejects.toThrow(/test rows of this run \(sample of 12\): all 12 rows have label 1; AUC is undefined/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('run folders', () => {
  it('returns a finished run instead of training it again, and names the fix for a folder of another experiment', async () => {
    const out = path.join(dir, 'base-run');
    const first = await runRecExperiment(exp({ method: 'base' }), { outDir: out });
    const stamp = fs.statSync(path.join(out, 'result.json')).mtimeMs;
    const lines: string[] = [];
    const again = await runRecExperiment(exp({ method: 'base' }), { outDir: out, onProgress: (l) => lines.push(l) });
    expect(again.test.auc).toBe(first.test.auc);
    expect(fs.statSync(path.join(out, 'result.json')).mtimeMs).toBe(stamp);
    expect(lines.join('\n')).toMatch(/already finished/);
    await expect(runRecExperiment(exp({ method: 'base', testRows: 10 }), { outDir: out })).rejects.toThrow(/holds a different experiment; .*train-rec --fresh; library: resume: false/);
  }, 120_000);

  it('frees every tensor when a run fails after the LLM is loaded', async () => {
    const broken = path.join(dir, 'cf-broken');
    fs.cpSync(path.join(dir, 'cf-mf'), broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'best.safetensors'), Buffer.from('not a safetensors file'));
    const before = tf.memory().numTensors;
    await expect(runRecExperiment(exp({ method: 'cora', cf: { model: 'mf', runDir: broken } }), { outDir: path.join(dir, 'fails') })).rejects.toThrow(/best\.safetensors/);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

describe('stage-1 runs of another method', () => {
  it('refuses a finished run of the wrong method', async () => {
    const cf = { model: 'mf' as const, runDir: path.join(dir, 'cf-mf') };
    const base = path.join(dir, 'base-for-stage1');
    await runRecExperiment(exp({ method: 'base' }), { outDir: base });
    await refused(exp({ method: 'collm', cf, stage1RunDir: base }), /is a base run; collm starts from a tallrec run/);
  }, 120_000);
});

describe('finished runs and their LLM weights', () => {
  it('refuses to reuse a finished run when the weights in its LLM folder changed since', async () => {
    const llm = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-llm-copy-'));
    for (const f of fs.readdirSync(dir)) if (fs.statSync(path.join(dir, f)).isFile()) fs.copyFileSync(path.join(dir, f), path.join(llm, f));
    const out = path.join(dir, 'base-llm-copy');
    const e = exp({ method: 'base', llmDir: llm });
    await runRecExperiment(e, { outDir: out });
    await expect(runRecExperiment(e, { outDir: out })).resolves.toMatchObject({ method: 'base' });
    const cfg = path.join(llm, 'config.json');
    fs.writeFileSync(cfg, JSON.stringify(JSON.parse(fs.readFileSync(cfg, 'utf8')), null, 1));
    await expect(runRecExperiment(e, { outDir: out })).rejects.toThrow(/finished with other weights in .* \(LLM hash [0-9a-f]{12}, now [0-9a-f]{12}\); start it over/);
    fs.rmSync(llm, { recursive: true, force: true });
  }, 120_000);
});
